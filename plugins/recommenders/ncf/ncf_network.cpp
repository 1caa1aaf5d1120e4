// NeuMF forward and backward passes: see ncf_network.h.
#define EIGEN_DONT_PARALLELIZE  // oneTBB owns the threads
#include "ncf_network.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace reclift::recommenders {

template <class Scalar>
void NeuMfParameters<Scalar>::Resize(uint32_t users, uint32_t items, int factors,
                                     const std::vector<int>& layer_sizes) {
  const int e = layer_sizes[0] / 2;
  user_gmf = Matrix::Zero(users, factors);
  item_gmf = Matrix::Zero(items, factors);
  user_mlp = Matrix::Zero(users, e);
  item_mlp = Matrix::Zero(items, e);
  weights.clear();
  biases.clear();
  for (size_t l = 1; l < layer_sizes.size(); ++l) {
    weights.push_back(Matrix::Zero(layer_sizes[l], layer_sizes[l - 1]));
    biases.push_back(Vector::Zero(layer_sizes[l]));
  }
  out_gmf = Vector::Zero(factors);
  out_mlp = Vector::Zero(layer_sizes.back());
  out_bias = 0;
}

template <class Scalar>
void NeuMfGradient<Scalar>::Reset(const NeuMfParameters<Scalar>& p, size_t samples) {
  const auto n = static_cast<Eigen::Index>(samples);
  user_gmf = Matrix::Zero(n, p.user_gmf.cols());
  item_gmf = Matrix::Zero(n, p.item_gmf.cols());
  user_mlp = Matrix::Zero(n, p.user_mlp.cols());
  item_mlp = Matrix::Zero(n, p.item_mlp.cols());
  weights.resize(p.weights.size());
  biases.resize(p.biases.size());
  for (size_t l = 0; l < p.weights.size(); ++l) {
    weights[l] = Matrix::Zero(p.weights[l].rows(), p.weights[l].cols());
    biases[l] = Vector::Zero(p.biases[l].size());
  }
  out_gmf = Vector::Zero(p.out_gmf.size());
  out_mlp = Vector::Zero(p.out_mlp.size());
  out_bias = 0;
}

template <class Scalar>
void NeuMfGradient<Scalar>::AddDense(const NeuMfGradient& other) {
  for (size_t l = 0; l < weights.size(); ++l) {
    weights[l] += other.weights[l];
    biases[l] += other.biases[l];
  }
  out_gmf += other.out_gmf;
  out_mlp += other.out_mlp;
  out_bias += other.out_bias;
}

template <class Scalar>
Scalar NeuMfObjective(const NeuMfParameters<Scalar>& p, std::span<const uint32_t> users,
                      std::span<const uint32_t> items, std::span<const float> labels, Scalar l2,
                      Scalar normaliser, bool dense_penalty, NeuMfWorkspace<Scalar>& work,
                      NeuMfGradient<Scalar>* gradient) {
  using Matrix = typename NeuMfParameters<Scalar>::Matrix;
  const auto batch = static_cast<Eigen::Index>(users.size());
  const Eigen::Index e = p.user_mlp.cols();
  const size_t layers = p.weights.size();

  // forward
  work.gmf.resize(batch, p.user_gmf.cols());
  work.post.resize(layers + 1);
  work.pre.resize(layers + 1);
  work.post[0].resize(batch, 2 * e);
  Scalar penalty = 0;  // the samples' embedding l2, before the l2 factor
  for (Eigen::Index s = 0; s < batch; ++s) {
    const auto u = static_cast<Eigen::Index>(users[s]), i = static_cast<Eigen::Index>(items[s]);
    work.gmf.row(s) = p.user_gmf.row(u).cwiseProduct(p.item_gmf.row(i));
    work.post[0].row(s).head(e) = p.user_mlp.row(u);
    work.post[0].row(s).tail(e) = p.item_mlp.row(i);
    penalty += p.user_gmf.row(u).squaredNorm() + p.item_gmf.row(i).squaredNorm() +
               p.user_mlp.row(u).squaredNorm() + p.item_mlp.row(i).squaredNorm();
  }
  for (size_t l = 0; l < layers; ++l) {
    work.pre[l + 1].noalias() = work.post[l] * p.weights[l].transpose();
    work.pre[l + 1].rowwise() += p.biases[l].transpose();
    work.post[l + 1] = work.pre[l + 1].cwiseMax(Scalar(0));
  }
  work.logits.noalias() = work.gmf * p.out_gmf;
  work.logits.noalias() += work.post[layers] * p.out_mlp;
  work.logits.array() += p.out_bias;

  Scalar loss = 0;
  for (Eigen::Index s = 0; s < batch; ++s) {
    const Scalar x = work.logits[s];
    // softplus(x) - y x, stable for large |x|
    const Scalar softplus = std::max(x, Scalar(0)) + std::log1p(std::exp(-std::abs(x)));
    loss += softplus - static_cast<Scalar>(labels[s]) * x;
  }
  Scalar objective = (loss + l2 * penalty) / normaliser;
  if (dense_penalty) {
    Scalar dense = p.out_gmf.squaredNorm() + p.out_mlp.squaredNorm();
    for (const auto& w : p.weights) dense += w.squaredNorm();
    objective += l2 * dense;
  }
  if (gradient == nullptr) return objective;

  // backward: d objective / d logit_s = (sigmoid(x_s) - y_s) / normaliser
  NeuMfGradient<Scalar>& g = *gradient;
  g.Reset(p, users.size());
  auto& delta = work.logits;  // overwritten in place
  // A confidently right sample's delta can fall below the normal range;
  // denormal operands slow the matrix products down by 10x or more and move
  // nothing, so such deltas become 0.
  const Scalar negligible = std::numeric_limits<Scalar>::min() * Scalar(1 << 24);
  for (Eigen::Index s = 0; s < batch; ++s) {
    const Scalar sigmoid = Scalar(1) / (Scalar(1) + std::exp(-delta[s]));
    delta[s] = (sigmoid - static_cast<Scalar>(labels[s])) / normaliser;
    if (std::abs(delta[s]) < negligible) delta[s] = 0;
  }
  g.out_gmf.noalias() = work.gmf.transpose() * delta;
  g.out_mlp.noalias() = work.post[layers].transpose() * delta;
  g.out_bias = delta.sum();

  const Scalar embedding_decay = Scalar(2) * l2 / normaliser;
  for (Eigen::Index s = 0; s < batch; ++s) {
    const auto u = static_cast<Eigen::Index>(users[s]), i = static_cast<Eigen::Index>(items[s]);
    // d/d gmf_s = delta_s h_gmf; gmf = p_u ⊙ q_i
    g.user_gmf.row(s) = delta[s] * p.out_gmf.transpose().cwiseProduct(p.item_gmf.row(i)) +
                        embedding_decay * p.user_gmf.row(u);
    g.item_gmf.row(s) = delta[s] * p.out_gmf.transpose().cwiseProduct(p.user_gmf.row(u)) +
                        embedding_decay * p.item_gmf.row(i);
  }
  Matrix& upstream = work.upstream;  // d objective / d z_l, samples x width
  upstream.noalias() = delta * p.out_mlp.transpose();
  for (size_t l = layers; l-- > 0;) {
    // through relu: the gradient passes where the pre-activation was positive
    upstream = (work.pre[l + 1].array() > Scalar(0)).select(upstream, Scalar(0));
    g.weights[l].noalias() = upstream.transpose() * work.post[l];
    g.biases[l] = upstream.colwise().sum().transpose();
    work.below.noalias() = upstream * p.weights[l];
    upstream.swap(work.below);
  }
  for (Eigen::Index s = 0; s < batch; ++s) {
    const auto u = static_cast<Eigen::Index>(users[s]), i = static_cast<Eigen::Index>(items[s]);
    g.user_mlp.row(s) = upstream.row(s).head(e) + embedding_decay * p.user_mlp.row(u);
    g.item_mlp.row(s) = upstream.row(s).tail(e) + embedding_decay * p.item_mlp.row(i);
  }
  if (dense_penalty) {
    for (size_t l = 0; l < layers; ++l) g.weights[l] += Scalar(2) * l2 * p.weights[l];
    g.out_gmf += Scalar(2) * l2 * p.out_gmf;
    g.out_mlp += Scalar(2) * l2 * p.out_mlp;
  }
  return objective;
}

template struct NeuMfParameters<float>;
template struct NeuMfParameters<double>;
template struct NeuMfGradient<float>;
template struct NeuMfGradient<double>;
template float NeuMfObjective<float>(const NeuMfParameters<float>&, std::span<const uint32_t>,
                                     std::span<const uint32_t>, std::span<const float>, float, float, bool,
                                     NeuMfWorkspace<float>&, NeuMfGradient<float>*);
template double NeuMfObjective<double>(const NeuMfParameters<double>&, std::span<const uint32_t>,
                                       std::span<const uint32_t>, std::span<const float>, double, double,
                                       bool, NeuMfWorkspace<double>&, NeuMfGradient<double>*);

}  // namespace reclift::recommenders
