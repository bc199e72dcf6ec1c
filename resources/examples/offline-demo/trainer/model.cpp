#include "model.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <numbers>
#include <sstream>

namespace demo {

namespace {

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split(std::string_view s, char sep)
{
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (;;) {
        const auto p = s.find(sep, start);
        out.push_back(trim(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start)));
        if (p == std::string_view::npos)
            return out;
        start = p + 1;
    }
}

bool parseDouble(std::string_view s, double &out)
{
    if (!s.empty() && s.front() == '+')
        s.remove_prefix(1);
    const auto *end = s.data() + s.size();
    const auto r = std::from_chars(s.data(), end, out);
    return r.ec == std::errc() && r.ptr == end && std::isfinite(out);
}

std::string fmt(double v)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

} // namespace

std::optional<std::vector<Sample>> parseCsv(std::string_view text, std::string &error)
{
    std::vector<Sample> out;
    bool haveHeader = false;
    std::size_t lineNo = 0, pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        if (nl == std::string_view::npos)
            nl = text.size();
        const auto line = trim(text.substr(pos, nl - pos));
        pos = nl + 1;
        ++lineNo;
        if (line.empty())
            continue;
        const auto cols = split(line, ',');
        if (!haveHeader) {
            if (cols.size() != 3 || cols[0] != "x1" || cols[1] != "x2" || cols[2] != "label") {
                error = "line " + std::to_string(lineNo) + ": expected the header 'x1,x2,label', got '" +
                        std::string(line) + "'";
                return std::nullopt;
            }
            haveHeader = true;
            continue;
        }
        if (cols.size() != 3) {
            error = "line " + std::to_string(lineNo) + ": expected 3 columns, got " + std::to_string(cols.size());
            return std::nullopt;
        }
        Sample s;
        if (!parseDouble(cols[0], s.x1) || !parseDouble(cols[1], s.x2)) {
            error = "line " + std::to_string(lineNo) + ": not a finite number in '" + std::string(line) + "'";
            return std::nullopt;
        }
        if (cols[2] == "0")
            s.label = 0;
        else if (cols[2] == "1")
            s.label = 1;
        else {
            error = "line " + std::to_string(lineNo) + ": label must be 0 or 1, got '" + std::string(cols[2]) + "'";
            return std::nullopt;
        }
        out.push_back(s);
    }
    if (!haveHeader) {
        error = "empty file: expected the header 'x1,x2,label'";
        return std::nullopt;
    }
    if (out.empty()) {
        error = "no data rows after the header";
        return std::nullopt;
    }
    return out;
}

std::optional<std::string> readFile(const std::string &path, std::string &error)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot open '" + path + "': " + std::strerror(errno);
        return std::nullopt;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) {
        error = "cannot read '" + path + "'";
        return std::nullopt;
    }
    return ss.str();
}

std::uint64_t SplitMix64::next()
{
    std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void shuffle(std::vector<std::size_t> &v, SplitMix64 &rng)
{
    for (std::size_t i = v.size(); i > 1; --i) {
        const auto j = static_cast<std::size_t>(rng.below(i));
        std::swap(v[i - 1], v[j]);
    }
}

double sigmoid(double z)
{
    // Stable on both sides: never exponentiates a large positive number.
    if (z >= 0)
        return 1.0 / (1.0 + std::exp(-z));
    const double e = std::exp(z);
    return e / (1.0 + e);
}

double Model::logit(const Sample &s) const
{
    return w1 * ((s.x1 - mean1) / std1) + w2 * ((s.x2 - mean2) / std2) + b;
}

std::string Model::serialize() const
{
    std::string out =
        "# trainyard-demo logistic regression: p = sigmoid(w1*z1 + w2*z2 + b), zi = (xi - mean_i) / std_i\n";
    out += "weights " + fmt(w1) + " " + fmt(w2) + " " + fmt(b) + "\n";
    out += "mean " + fmt(mean1) + " " + fmt(mean2) + "\n";
    out += "std " + fmt(std1) + " " + fmt(std2) + "\n";
    return out;
}

std::optional<Model> Model::parse(std::string_view text, std::string &error)
{
    Model m;
    bool haveW = false, haveMean = false, haveStd = false;
    std::size_t pos = 0, lineNo = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        if (nl == std::string_view::npos)
            nl = text.size();
        const auto line = trim(text.substr(pos, nl - pos));
        pos = nl + 1;
        ++lineNo;
        if (line.empty() || line.front() == '#')
            continue;
        std::vector<std::string_view> f;
        for (auto part : split(line, ' '))
            if (!part.empty())
                f.push_back(part);
        std::vector<double> v;
        for (std::size_t i = 1; i < f.size(); ++i) {
            double d = 0;
            if (!parseDouble(f[i], d)) {
                error = "model line " + std::to_string(lineNo) + ": not a finite number '" + std::string(f[i]) + "'";
                return std::nullopt;
            }
            v.push_back(d);
        }
        if (f[0] == "weights" && v.size() == 3) {
            m.w1 = v[0], m.w2 = v[1], m.b = v[2], haveW = true;
        } else if (f[0] == "mean" && v.size() == 2) {
            m.mean1 = v[0], m.mean2 = v[1], haveMean = true;
        } else if (f[0] == "std" && v.size() == 2 && v[0] > 0 && v[1] > 0) {
            m.std1 = v[0], m.std2 = v[1], haveStd = true;
        } else {
            error = "model line " + std::to_string(lineNo) + ": unexpected '" + std::string(line) + "'";
            return std::nullopt;
        }
    }
    if (!haveW || !haveMean || !haveStd) {
        error = "model is incomplete: needs 'weights', 'mean' and 'std' lines";
        return std::nullopt;
    }
    return m;
}

void fitStandardisation(Model &m, const std::vector<Sample> &data)
{
    double s1 = 0, s2 = 0;
    for (const auto &s : data)
        s1 += s.x1, s2 += s.x2;
    const double n = double(data.size());
    m.mean1 = s1 / n, m.mean2 = s2 / n;
    double v1 = 0, v2 = 0;
    for (const auto &s : data)
        v1 += (s.x1 - m.mean1) * (s.x1 - m.mean1), v2 += (s.x2 - m.mean2) * (s.x2 - m.mean2);
    m.std1 = std::max(std::sqrt(v1 / n), 1e-12);
    m.std2 = std::max(std::sqrt(v2 / n), 1e-12);
}

namespace {
// -log(sigmoid(z)) for y=1, -log(1-sigmoid(z)) for y=0, computed stably from the logit.
double bce(double z, int y)
{
    const double t = y ? -z : z; // loss = log(1 + exp(t))
    return t > 0 ? t + std::log1p(std::exp(-t)) : std::log1p(std::exp(t));
}
} // namespace

double batchLoss(const Model &m, const std::vector<Sample> &data, const std::vector<std::size_t> &idx, Gradient *grad)
{
    double loss = 0;
    Gradient g;
    for (auto i : idx) {
        const auto &s = data[i];
        const double z = m.logit(s);
        loss += bce(z, s.label);
        const double d = sigmoid(z) - s.label;
        g.w1 += d * (s.x1 - m.mean1) / m.std1;
        g.w2 += d * (s.x2 - m.mean2) / m.std2;
        g.b += d;
    }
    const double n = double(idx.size());
    if (grad)
        *grad = {g.w1 / n, g.w2 / n, g.b / n};
    return loss / n;
}

Metrics evaluateModel(const Model &m, const std::vector<Sample> &data)
{
    Metrics r;
    std::size_t correct = 0;
    for (const auto &s : data) {
        const double z = m.logit(s);
        correct += ((z >= 0) == (s.label == 1));
        r.loss += bce(z, s.label);
    }
    r.samples = data.size();
    r.accuracy = double(correct) / double(data.size());
    r.loss /= double(data.size());
    return r;
}

double scheduledLr(const TrainOptions &o, std::int64_t step, std::int64_t totalSteps)
{
    const double progress = totalSteps > 1 ? double(step) / double(totalSteps - 1) : 0.0;
    const double lrMin = o.lr * o.finalLrFraction;
    return lrMin + 0.5 * (o.lr - lrMin) * (1.0 + std::cos(std::numbers::pi * progress));
}

Model train(const std::vector<Sample> &data, const TrainOptions &o,
            const std::function<void(const StepRecord &)> &onStep,
            const std::function<void(int, const Metrics &, double)> &onEpoch)
{
    Model m;
    fitStandardisation(m, data);
    SplitMix64 rng(o.seed);
    std::vector<std::size_t> order(data.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    const std::int64_t perEpoch = std::int64_t((data.size() + o.batchSize - 1) / o.batchSize);
    const std::int64_t total = perEpoch * o.epochs;
    std::int64_t step = 0;
    double lr = o.lr;
    for (int epoch = 1; epoch <= o.epochs; ++epoch) {
        shuffle(order, rng);
        for (std::size_t start = 0; start < order.size(); start += o.batchSize) {
            const std::vector<std::size_t> batch(order.begin() + std::ptrdiff_t(start),
                                                 order.begin() +
                                                     std::ptrdiff_t(std::min(start + o.batchSize, order.size())));
            lr = scheduledLr(o, step, total);
            std::size_t correct = 0;
            for (auto i : batch)
                correct += ((m.logit(data[i]) >= 0) == (data[i].label == 1));
            Gradient g;
            const double loss = batchLoss(m, data, batch, &g);
            m.w1 -= lr * g.w1;
            m.w2 -= lr * g.w2;
            m.b -= lr * g.b;
            ++step;
            if (onStep)
                onStep({step, epoch, loss, double(correct) / double(batch.size()), lr});
        }
        if (onEpoch)
            onEpoch(epoch, evaluateModel(m, data), lr);
    }
    return m;
}

} // namespace demo
