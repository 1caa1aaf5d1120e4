// The NeuMF network of He et al., "Neural Collaborative Filtering" (WWW 2017):
// its parameters, and the objective and gradient of a batch of (user, item,
// label) samples, with hand-written backpropagation. Templated on the scalar
// so that the gradient can be checked by finite differences in double; the
// recommender trains in float.
//
// For a sample (u, i):
//   gmf  = p_u ⊙ q_i                                  (GMF tower, `factors` wide)
//   z_0  = [m_u, n_i]                                 (MLP embeddings, concatenated)
//   z_l  = relu(W_l z_{l-1} + b_l),  l = 1..L         (MLP tower)
//   x    = h_gmf . gmf + h_mlp . z_L + b              (NeuMF layer: a logit)
// and the objective of a batch of B samples with labels y_s in {0, 1} is
//   J = (1/B) sum_s [ softplus(x_s) - y_s x_s                      (binary cross-entropy)
//                     + l2 (|p_u|^2 + |q_i|^2 + |m_u|^2 + |n_i|^2) ]
//       + l2 (sum_l |W_l|^2 + |h_gmf|^2 + |h_mlp|^2)             (biases are not penalised)
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <vector>

namespace reclift::recommenders {

template <class Scalar>
struct NeuMfParameters {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

  Matrix user_gmf, item_gmf;    // users x factors, items x factors
  Matrix user_mlp, item_mlp;    // users x e, items x e (e = layer_sizes[0] / 2)
  std::vector<Matrix> weights;  // layer l (0-based): layer_sizes[l + 1] x layer_sizes[l]
  std::vector<Vector> biases;   // layer l: layer_sizes[l + 1]
  Vector out_gmf;               // factors
  Vector out_mlp;               // layer_sizes.back()
  Scalar out_bias = 0;

  // Zero-valued parameters of the given shape; layer_sizes[0] must be even.
  void Resize(uint32_t users, uint32_t items, int factors, const std::vector<int>& layer_sizes);
  int embedding() const { return static_cast<int>(user_mlp.cols()); }
};

// The gradient of a batch: dense blocks like the parameters; for the
// embeddings, one row per sample (row s belongs to users[s] / items[s]; a
// user met twice has two rows, to be summed).
template <class Scalar>
struct NeuMfGradient {
  using Matrix = typename NeuMfParameters<Scalar>::Matrix;
  using Vector = typename NeuMfParameters<Scalar>::Vector;

  Matrix user_gmf, item_gmf, user_mlp, item_mlp;  // samples x width
  std::vector<Matrix> weights;
  std::vector<Vector> biases;
  Vector out_gmf, out_mlp;
  Scalar out_bias = 0;

  // Zero-valued gradient for `samples` samples of a network like `p`.
  void Reset(const NeuMfParameters<Scalar>& p, size_t samples);
  // Adds `other`'s dense blocks to this one's (embedding rows are per sample
  // and are not touched).
  void AddDense(const NeuMfGradient& other);
};

// Scratch matrices of one forward/backward pass, reused between batches.
template <class Scalar>
struct NeuMfWorkspace {
  typename NeuMfParameters<Scalar>::Matrix gmf, upstream, below;
  std::vector<typename NeuMfParameters<Scalar>::Matrix> pre, post;  // per layer, before/after relu
  typename NeuMfParameters<Scalar>::Vector logits;
};

// Adds the part of J above that the samples carry, divided by `normaliser`
// (the whole batch's size, so that chunks of a batch sum to the batch), to
// the return value and, when `gradient` is not null, fills its gradient
// (gradient->Reset is called here). With `dense_penalty`, the l2 term of the
// dense weights is included too (once per batch). Labels are 0 or 1.
template <class Scalar>
Scalar NeuMfObjective(const NeuMfParameters<Scalar>& p, std::span<const uint32_t> users,
                      std::span<const uint32_t> items, std::span<const float> labels, Scalar l2,
                      Scalar normaliser, bool dense_penalty, NeuMfWorkspace<Scalar>& work,
                      NeuMfGradient<Scalar>* gradient);

}  // namespace reclift::recommenders
