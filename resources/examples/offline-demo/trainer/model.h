// The demo model: logistic regression on two standardised features, trained with mini-batch SGD.
// Deterministic by construction: own PRNG, no std::random_device or std distributions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace demo {

struct Sample
{
    double x1 = 0, x2 = 0;
    int label = 0; // 0 or 1
};

// Parses CSV text with a header `x1,x2,label` (column order fixed; CRLF and blank lines allowed).
// On error returns nullopt and sets error (with the line number).
std::optional<std::vector<Sample>> parseCsv(std::string_view text, std::string &error);
// Reads a whole file; nullopt and error when it cannot be read.
std::optional<std::string> readFile(const std::string &path, std::string &error);

// splitmix64 (Vigna): the same sequence on every platform and standard library.
class SplitMix64
{
public:
    explicit SplitMix64(std::uint64_t seed)
        : m_state(seed)
    {}
    std::uint64_t next();
    // Uniform-ish integer in [0, n); n > 0. Modulo bias is irrelevant at these sizes.
    std::uint64_t below(std::uint64_t n) { return next() % n; }

private:
    std::uint64_t m_state;
};
// Fisher-Yates shuffle driven by rng.
void shuffle(std::vector<std::size_t> &v, SplitMix64 &rng);

double sigmoid(double z);

struct Model
{
    double w1 = 0, w2 = 0, b = 0;
    double mean1 = 0, mean2 = 0, std1 = 1, std2 = 1; // standardisation, fitted on the training data

    double logit(const Sample &s) const;
    double predict(const Sample &s) const { return sigmoid(logit(s)); }
    std::string serialize() const;
    static std::optional<Model> parse(std::string_view text, std::string &error);
};

// Fits mean/std of each feature (std floored at 1e-12).
void fitStandardisation(Model &m, const std::vector<Sample> &data);

struct Gradient
{
    double w1 = 0, w2 = 0, b = 0;
};
// Mean binary cross-entropy of the batch (indices into data) and its gradient.
double batchLoss(const Model &m, const std::vector<Sample> &data, const std::vector<std::size_t> &idx,
                 Gradient *grad = nullptr);

struct Metrics
{
    double accuracy = 0, loss = 0;
    std::size_t samples = 0;
};
Metrics evaluateModel(const Model &m, const std::vector<Sample> &data);

struct TrainOptions
{
    int epochs = 30;
    double lr = 0.1;
    std::uint64_t seed = 42;
    std::size_t batchSize = 32;
    double finalLrFraction = 0.1; // cosine schedule from lr down to lr * finalLrFraction
};
// Learning rate at step (0-based) of totalSteps: cosine decay.
double scheduledLr(const TrainOptions &o, std::int64_t step, std::int64_t totalSteps);

struct StepRecord
{
    std::int64_t step = 0; // 1-based
    int epoch = 0;         // 1-based
    double loss = 0, accuracy = 0, lr = 0;
};
// Trains from zero weights. onStep is called after every update, onEpoch after every epoch
// with metrics over the whole training set.
Model train(const std::vector<Sample> &data, const TrainOptions &o,
            const std::function<void(const StepRecord &)> &onStep,
            const std::function<void(int epoch, const Metrics &, double lr)> &onEpoch);

} // namespace demo
