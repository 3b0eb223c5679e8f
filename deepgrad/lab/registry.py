"""The lab's experiments by name, in the chapter's order: claim and formula of each."""
from __future__ import annotations

from .record import Experiment


def _exp(name: str, title: str, claim: str, formula: str) -> Experiment:
    module = "deepgrad.lab." + name.replace("-", "_")
    return Experiment(name, title, claim, formula, module)


EXPERIMENTS: dict[str, Experiment] = {e.name: e for e in [
    _exp("perceptron", "The perceptron and XOR",
         "A single-layer perceptron learns any linearly separable function such as AND and OR, "
         "but no line separates XOR, so it gets at most 3 of the 4 points right; one hidden "
         "layer is enough to solve XOR.",
         "o = sign(w . x + w0)\n"
         "perceptron rule, on each mistake:  w <- w + eta (t - o) x,   w0 <- w0 + eta (t - o)\n"
         "MLP:  y = sigmoid(W2 tanh(W1 x + b1) + b2), trained by gradient descent on "
         "cross-entropy"),
    _exp("hidden-layers", "Hidden layers and decision boundaries",
         "A network without hidden layers can only draw a straight boundary, while hidden "
         "layers let it bend the boundary around non-linear data such as two spirals; more "
         "layers mean more parameters and more complex boundaries.",
         "h_1 = ReLU(W_1 x + b_1),  h_l = ReLU(W_l h_(l-1) + b_l),  "
         "y = softmax(W_(L+1) h_L + b_(L+1))\n"
         "parameters = sum over layers of (n_in + 1) n_out"),
    _exp("gradient-descent", "Batch, stochastic and mini-batch gradient descent",
         "Batch gradient descent takes one exact but expensive step per pass over the data, "
         "stochastic gradient descent takes one cheap noisy step per sample, and mini-batch "
         "descent balances the two; on a paraboloid, gradient descent converges only when the "
         "learning rate is below 2 over the largest curvature.",
         "w <- w - eta * (1/|B|) sum_(i in B) grad L_i(w)     "
         "BGD: B = all N samples;  SGD: |B| = 1;  MBGD: 1 < |B| < N\n"
         "paraboloid f = 1/2 (a x^2 + b y^2):  x <- (1 - eta a) x,  y <- (1 - eta b) y,  "
         "converges iff eta < 2 / max(a, b)"),
    _exp("losses", "Quadratic cost vs cross-entropy",
         "With a sigmoid or softmax output, the quadratic cost learns slowly from a badly wrong "
         "start because its gradient carries the activation's vanishing slope, while "
         "cross-entropy's gradient is proportional to the error, so it learns fastest exactly "
         "when it is most wrong.",
         "quadratic:      C = 1/2 (a - t)^2,              dC/dw = (a - t) sigma'(z) x\n"
         "cross-entropy:  C = -[t ln a + (1-t) ln(1-a)],  dC/dw = (a - t) x\n"
         "softmax + cross-entropy:  dC/dz_i = p_i - t_i"),
    _exp("activations", "Activation functions and their derivatives",
         "Sigmoid and tanh saturate (their derivatives vanish for large |x| and sigmoid's never "
         "exceeds 1/4), ReLU passes gradient 1 for every positive input, and softmax turns any "
         "score vector into a probability distribution that keeps the scores' order.",
         "sigmoid(x) = 1/(1+e^-x)      sigmoid'(x) = sigmoid(x)(1 - sigmoid(x)) <= 1/4\n"
         "tanh'(x) = 1 - tanh(x)^2\n"
         "softsign(x) = x/(1+|x|)      softsign'(x) = 1/(1+|x|)^2\n"
         "ReLU(x) = max(0, x)          ReLU'(x) = 1 if x > 0 else 0\n"
         "softplus(x) = ln(1+e^x)      softplus'(x) = sigmoid(x)\n"
         "softmax(z)_i = e^(z_i) / sum_j e^(z_j)"),
    _exp("regularization", "Regularization: L1, L2 and remedies for over-fitting",
         "An L1 penalty drives unneeded weights to zero (sparse weights) while L2 shrinks all "
         "weights without zeroing them; a network that over-fits a small data set generalises "
         "better with dropout, early stopping, dataset expansion, noise injection or label "
         "smoothing.",
         "L1:  J~ = J + alpha sum |w|    (pull alpha sign(w): constant size)\n"
         "L2:  J~ = J + alpha sum w^2    (pull 2 alpha w: shrinks with w)\n"
         "dropout:  h~ = m * h / (1 - p),  m ~ Bernoulli(1 - p)\n"
         "label smoothing:  t~ = (1 - eps) onehot(t) + eps / C\n"
         "noise injection:  h~ = h + N(0, sigma^2)   early stopping: keep the weights of the "
         "epoch with the lowest validation loss"),
    _exp("optimizers", "Optimizers: paths, saddle points, training curves",
         "Momentum damps gradient descent's zig-zag and carries it through flat valleys, and "
         "the adaptive methods (AdaGrad, AdaDelta, RMSProp, Adam, AdaMax, Nadam) scale each "
         "coordinate's step by its gradient history, which lets them cross plateaus and leave "
         "a saddle point where plain gradient descent stalls.",
         "GD:        w <- w - eta g\n"
         "momentum:  v <- alpha v + g,   w <- w - eta v   (Nesterov: w <- w - eta (g + alpha v))\n"
         "AdaGrad:   r <- r + g^2,       w <- w - eta g / (sqrt(r) + eps)\n"
         "RMSProp:   r <- rho r + (1-rho) g^2,   w <- w - eta g / (sqrt(r) + eps)\n"
         "AdaDelta:  r <- rho r + (1-rho) g^2,  d = sqrt(u+eps)/sqrt(r+eps) g,  "
         "u <- rho u + (1-rho) d^2,  w <- w - eta d\n"
         "Adam:      m <- b1 m + (1-b1) g,  v <- b2 v + (1-b2) g^2,  "
         "w <- w - eta m^ / (sqrt(v^) + eps)  (bias-corrected m^, v^)\n"
         "AdaMax:    u <- max(b2 u, |g|),  w <- w - eta m / ((1-b1^t) u);   "
         "Nadam: Adam with a Nesterov look-ahead on m"),
    _exp("cnn", "Convolutional networks: filters, LeNet-5, pooling",
         "A convolutional layer slides one small filter over the whole image (local receptive "
         "fields, shared weights), so a few thousand weights detect a pattern anywhere; "
         "stacked with pooling and a fully connected classifier, as in LeNet-5, it recognises "
         "handwritten digits.",
         "feature map:  a[i, j] = f( sum_(m, n) w[m, n] x[i+m, j+n] + b )\n"
         "output size:  (W - K + 2P) / S + 1\n"
         "max pooling:  max over each k x k window;  average pooling: mean over it"),
    _exp("rnn", "Recurrent networks: long memory, gradients through time, text",
         "Backpropagation through time multiplies one Jacobian per step, so a plain RNN's "
         "gradient from a late loss vanishes before it reaches the first steps and it cannot "
         "learn long-range dependencies, while the LSTM's additive cell state and the GRU's "
         "gated update carry information and gradient across many steps.",
         "RNN:  S_t = tanh(U X_t + W S_(t-1)),   dS_T/dS_t = prod_(k>t) diag(1 - S_k^2) W\n"
         "LSTM: c_t = f_t * c_(t-1) + i_t * g_t,  h_t = o_t * tanh(c_t)   "
         "(dc_t/dc_(t-1) = f_t)\n"
         "GRU:  h_t = (1 - z_t) * h_(t-1) + z_t * h~_t"),
    _exp("gan", "Generative adversarial networks",
         "A generator trained against a discriminator learns to produce samples like the data "
         "(here all modes of a Gaussian mixture, and digits); early in training the minimax "
         "generator loss saturates, so the generator minimises -log D(G(z)) instead.",
         "min_G max_D V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))]\n"
         "non-saturating generator loss:  -E_z[log D(G(z))]\n"
         "d log(1 - sigmoid(l)) / dl = -sigmoid(l),   d(-log sigmoid(l)) / dl = -(1 - sigmoid(l))"),
    _exp("imbalance", "Class imbalance: under-sampling, over-sampling, SMOTE",
         "When one class is rare, a classifier trained as usual scores high accuracy by "
         "neglecting it; re-balancing the training set by under-sampling the majority, "
         "over-sampling the minority or synthesising minority points with SMOTE raises the "
         "minority's recall and the G-mean, at some cost in precision.",
         "recall = TP / (TP + FN),  precision = TP / (TP + FP),  "
         "G-mean = sqrt(recall_0 * recall_1)\n"
         "SMOTE:  x_new = x_i + lambda (x_zi - x_i),  x_zi one of the k nearest minority "
         "neighbours of x_i,  lambda ~ U[0, 1)"),
    _exp("gradients", "Vanishing and exploding gradients",
         "Backpropagation multiplies one factor per layer, so in a deep sigmoid network the "
         "gradient reaching the first layers is orders of magnitude smaller than at the last "
         "(it vanishes), while too large weights make it grow layer after layer (it explodes); "
         "non-saturating activations with a matched initialization keep it steady, and "
         "clipping the gradient's norm tames the explosion.",
         "dL/dz_l = (W_(l+1)^T dL/dz_(l+1)) * f'(z_l)   so   "
         "||dL/dz_1|| ~ prod_l ||W_l|| max|f'|,  sigmoid' <= 1/4\n"
         "clipping:  g <- g * min(1, c / ||g||)"),
    _exp("overfitting", "Over-fitting: model size, data size, remedies",
         "A model with too much capacity for its data learns the noise of the training set: "
         "its training error keeps falling while its test error does not, and the gap closes "
         "with more training data or with regularization.",
         "generalisation gap = test error - training error\n"
         "parameters of an MLP = sum over layers of (n_in + 1) n_out"),
]}
