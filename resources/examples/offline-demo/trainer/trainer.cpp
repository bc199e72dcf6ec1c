// The Trainyard offline demo's trainer: a small, real, deterministic logistic-regression trainer.
// Static binary, standard library only, so the image is `FROM scratch`.
//
//   trainer selftest
//   trainer train --data FILE.csv --epochs N --lr X --seed S --logdir DIR --model FILE
//   trainer evaluate --data FILE.csv --model FILE --min-accuracy X --report FILE.json
//   trainer export --model FILE --out FILE.tar
#include "eventwriter.h"
#include "model.h"
#include "selftest.h"
#include "tarwriter.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace demo;

namespace {

// Fixed, so the same inputs give the same event-file name and bytes.
constexpr double kWallTimeBase = 1700000000.0;
constexpr double kWallTimePerStep = 0.01;
constexpr const char *kEventFileName = "events.out.tfevents.1700000000.trainyard-demo";

constexpr int kUsageError = 2;

const char *kUsage =
    "usage: trainer <command> [flags]\n"
    "\n"
    "A small deterministic logistic-regression trainer (Trainyard offline demo).\n"
    "\n"
    "commands:\n"
    "  selftest\n"
    "      run the trainer's own checks (CSV, sigmoid, gradient, CRC32C, event file, tar)\n"
    "  train --data FILE.csv --epochs N --lr X --seed S --logdir DIR --model FILE\n"
    "      mini-batch SGD (batch 32, cosine learning-rate decay to lr/10) on a CSV with the\n"
    "      header x1,x2,label; writes TensorBoard scalars loss, accuracy and learning_rate to\n"
    "      DIR/events.out.tfevents.1700000000.trainyard-demo and the model as text to FILE\n"
    "  evaluate --data FILE.csv --model FILE --min-accuracy X --report FILE.json\n"
    "      writes {\"accuracy\", \"loss\", \"samples\"} to the report; exits 1 below the bar\n"
    "  export --model FILE --out FILE.tar\n"
    "      packages the model and a MANIFEST.txt into a reproducible ustar archive\n"
    "  --help\n"
    "      this text\n"
    "\n"
    "The same data and flags always give byte-identical model, event and tar files.\n"
    "Exit status: 0 success, 1 failure (failed check, accuracy below the bar, I/O error), 2 bad usage.\n";

struct Failure
{
    std::string message;
    int code = 1;
};

[[noreturn]] void fail(const std::string &message, int code = 1)
{
    throw Failure{message, code};
}

std::string num(double v, const char *format = "%.9g")
{
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

// Parses `--flag value` / `--flag=value` pairs; every flag is required, none may repeat.
std::map<std::string, std::string> parseFlags(const std::string &command, int argc, char **argv,
                                              const std::vector<std::string> &required)
{
    const std::set<std::string> known(required.begin(), required.end());
    std::map<std::string, std::string> flags;
    for (int i = 0; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::fputs(kUsage, stdout);
            std::exit(0);
        }
        if (arg.rfind("--", 0) != 0)
            fail(command + ": unexpected argument '" + arg + "'", kUsageError);
        std::string name = arg.substr(2), value;
        const auto eq = name.find('=');
        if (eq != std::string::npos) {
            value = name.substr(eq + 1);
            name.resize(eq);
        } else {
            if (i + 1 >= argc)
                fail(command + ": --" + name + " needs a value", kUsageError);
            value = argv[++i];
        }
        if (!known.count(name))
            fail(command + ": unknown flag --" + name, kUsageError);
        if (flags.count(name))
            fail(command + ": --" + name + " given twice", kUsageError);
        if (value.empty())
            fail(command + ": --" + name + " must not be empty", kUsageError);
        flags[name] = value;
    }
    for (const auto &r : required)
        if (!flags.count(r))
            fail(command + ": missing --" + r + " (see trainer --help)", kUsageError);
    return flags;
}

double parseNumber(const std::string &flag, const std::string &text, double lo, double hi)
{
    double v = 0;
    const auto *end = text.data() + text.size();
    const auto r = std::from_chars(text.data(), end, v);
    if (r.ec != std::errc() || r.ptr != end || !std::isfinite(v))
        fail("--" + flag + ": '" + text + "' is not a number", kUsageError);
    if (v < lo || v > hi)
        fail("--" + flag + ": " + text + " is out of range [" + num(lo) + ", " + num(hi) + "]", kUsageError);
    return v;
}

std::uint64_t parseUnsigned(const std::string &flag, const std::string &text, std::uint64_t lo, std::uint64_t hi)
{
    std::uint64_t v = 0;
    const auto *end = text.data() + text.size();
    const auto r = std::from_chars(text.data(), end, v);
    if (r.ec != std::errc() || r.ptr != end)
        fail("--" + flag + ": '" + text + "' is not a non-negative integer", kUsageError);
    if (v < lo || v > hi)
        fail("--" + flag + ": " + text + " is out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]",
             kUsageError);
    return v;
}

std::vector<Sample> loadData(const std::string &path)
{
    std::string err;
    const auto text = readFile(path, err);
    if (!text)
        fail("data: " + err);
    auto rows = parseCsv(*text, err);
    if (!rows)
        fail("data '" + path + "': " + err);
    return std::move(*rows);
}

Model loadModel(const std::string &path)
{
    std::string err;
    const auto text = readFile(path, err);
    if (!text)
        fail("model: " + err);
    auto m = Model::parse(*text, err);
    if (!m)
        fail("model '" + path + "': " + err);
    return *m;
}

void ensureParent(const fs::path &file)
{
    const auto parent = file.parent_path();
    if (parent.empty())
        return;
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec)
        fail("cannot create directory '" + parent.string() + "': " + ec.message());
}

void writeText(const std::string &path, const std::string &bytes)
{
    ensureParent(path);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        fail("cannot create '" + path + "': " + std::strerror(errno));
    out.write(bytes.data(), std::streamsize(bytes.size()));
    out.close();
    if (!out)
        fail("cannot write '" + path + "'");
}

int cmdTrain(int argc, char **argv)
{
    auto f = parseFlags("train", argc, argv, {"data", "epochs", "lr", "seed", "logdir", "model"});
    TrainOptions o;
    o.epochs = int(parseUnsigned("epochs", f["epochs"], 1, 100000));
    o.lr = parseNumber("lr", f["lr"], 1e-9, 100);
    o.seed = parseUnsigned("seed", f["seed"], 0, UINT64_MAX);
    const auto data = loadData(f["data"]);
    std::size_t positives = 0;
    for (const auto &s : data)
        positives += std::size_t(s.label);

    const fs::path logdir = f["logdir"];
    std::error_code ec;
    fs::create_directories(logdir, ec);
    if (ec)
        fail("cannot create log directory '" + logdir.string() + "': " + ec.message());
    const auto eventPath = (logdir / kEventFileName).string();

    const auto perEpoch = (data.size() + o.batchSize - 1) / o.batchSize;
    std::printf("train: %zu samples from %s (%zu positive), %d epochs x %zu steps, batch %zu, seed %llu\n", data.size(),
                f["data"].c_str(), positives, o.epochs, perEpoch, o.batchSize, static_cast<unsigned long long>(o.seed));
    std::printf("train: learning rate %s, cosine decay to %s; features standardised\n", num(o.lr).c_str(),
                num(o.lr * o.finalLrFraction).c_str());

    EventWriter events(kWallTimeBase, kWallTimePerStep);
    StepRecord last;
    const auto model = train(
        data, o,
        [&](const StepRecord &r) {
            events.addScalar(r.step, "loss", float(r.loss));
            events.addScalar(r.step, "accuracy", float(r.accuracy));
            events.addScalar(r.step, "learning_rate", float(r.lr));
            last = r;
        },
        [&](int epoch, const Metrics &m, double) {
            // The step's scalars as written to the event file (float), then the whole-set metrics.
            std::printf("epoch %*d/%d  step %4lld  loss %.6g  accuracy %.6g  learning_rate %.6g  |  train-set loss "
                        "%.4f accuracy %.4f\n",
                        int(std::to_string(o.epochs).size()), epoch, o.epochs, static_cast<long long>(last.step),
                        double(float(last.loss)), double(float(last.accuracy)), double(float(last.lr)), m.loss,
                        m.accuracy);
            std::fflush(stdout);
        });

    if (const auto err = events.writeTo(eventPath); !err.empty())
        fail(err);
    writeText(f["model"], model.serialize());
    std::printf("train: wrote %lld steps x 3 scalars (loss, accuracy, learning_rate) to %s\n",
                static_cast<long long>(last.step), eventPath.c_str());
    std::printf("train: wrote model to %s: weights %s %s %s\n", f["model"].c_str(), num(model.w1).c_str(),
                num(model.w2).c_str(), num(model.b).c_str());
    return 0;
}

int cmdEvaluate(int argc, char **argv)
{
    auto f = parseFlags("evaluate", argc, argv, {"data", "model", "min-accuracy", "report"});
    const double bar = parseNumber("min-accuracy", f["min-accuracy"], 0, 1);
    const auto model = loadModel(f["model"]);
    const auto data = loadData(f["data"]);
    const auto m = evaluateModel(model, data);
    const std::string report = "{\"accuracy\": " + num(m.accuracy) + ", \"loss\": " + num(m.loss) +
                               ", \"samples\": " + std::to_string(m.samples) + "}\n";
    writeText(f["report"], report);
    std::printf("evaluate: %zu samples from %s\n", m.samples, f["data"].c_str());
    std::printf("evaluate: accuracy %s  loss %s\n", num(m.accuracy, "%.4g").c_str(), num(m.loss, "%.4g").c_str());
    std::printf("evaluate: wrote %s\n", f["report"].c_str());
    if (m.accuracy < bar)
        fail("accuracy " + num(m.accuracy, "%.4g") + " is below the bar " + num(bar, "%.4g") + ": not exporting");
    std::printf("evaluate: accuracy %s meets the bar %s\n", num(m.accuracy, "%.4g").c_str(), num(bar, "%.4g").c_str());
    return 0;
}

int cmdExport(int argc, char **argv)
{
    auto f = parseFlags("export", argc, argv, {"model", "out"});
    std::string err;
    const auto text = readFile(f["model"], err);
    if (!text)
        fail("model: " + err);
    if (!Model::parse(*text, err))
        fail("model '" + f["model"] + "': " + err);
    char crc[16];
    std::snprintf(crc, sizeof crc, "%08x", crc32c(*text));
    const std::string manifest = "name: trainyard-demo logistic regression\n"
                                 "format: trainyard-demo-logreg-text/1\n"
                                 "files:\n"
                                 "  model.txt " +
                                 std::to_string(text->size()) + " bytes crc32c " + crc + "\n";
    const auto tar = makeTar({{"model.txt", *text}, {"MANIFEST.txt", manifest}}, err);
    if (!tar)
        fail(err);
    writeText(f["out"], *tar);
    std::printf("export: wrote %s (%zu bytes): model.txt, MANIFEST.txt\n", f["out"].c_str(), tar->size());
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fputs(kUsage, stderr);
        return kUsageError;
    }
    const std::string command = argv[1];
    try {
        if (command == "--help" || command == "-h" || command == "help") {
            std::fputs(kUsage, stdout);
            return 0;
        }
        if (command == "selftest") {
            if (argc > 2)
                fail("selftest takes no arguments", kUsageError);
            return runSelftest();
        }
        if (command == "train")
            return cmdTrain(argc - 2, argv + 2);
        if (command == "evaluate")
            return cmdEvaluate(argc - 2, argv + 2);
        if (command == "export")
            return cmdExport(argc - 2, argv + 2);
        fail("unknown command '" + command + "' (see trainer --help)", kUsageError);
    } catch (const Failure &f) {
        std::fflush(stdout);
        std::fprintf(stderr, "trainer: %s\n", f.message.c_str());
        return f.code;
    } catch (const std::exception &e) {
        std::fflush(stdout);
        std::fprintf(stderr, "trainer: %s\n", e.what());
        return 1;
    }
}
