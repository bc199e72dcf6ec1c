#include "selftest.h"

#include "eventwriter.h"
#include "model.h"
#include "tarwriter.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace demo {

namespace {

int g_failed = 0;
int g_passed = 0;

void check(bool ok, const char *name, const std::string &detail = {})
{
    std::printf("  [%s] %s%s%s\n", ok ? "PASS" : "FAIL", name, detail.empty() ? "" : ": ", detail.c_str());
    (ok ? g_passed : g_failed)++;
}

std::string hex(std::string_view s)
{
    static const char *digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

std::string hex32(std::uint32_t v)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08X", v);
    return buf;
}

void testCsv()
{
    std::puts("csv parsing");
    std::string err;
    const auto rows = parseCsv("x1,x2,label\r\n-1.5,2,0\r\n\r\n0.25,+3e-1,1\n 1 , -2 ,1", err);
    check(rows && rows->size() == 3, "header, CRLF, blank lines and spaces", rows ? "" : err);
    check(rows && rows->size() == 3 && (*rows)[0].x1 == -1.5 && (*rows)[0].x2 == 2 && (*rows)[0].label == 0 &&
              (*rows)[1].x2 == 0.3 && (*rows)[1].label == 1 && (*rows)[2].x2 == -2,
          "values parsed exactly");
    check(!parseCsv("a,b,c\n1,2,0\n", err) && err.find("header") != std::string::npos, "bad header rejected", err);
    check(!parseCsv("x1,x2,label\n1,2,2\n", err) && err.find("line 2") != std::string::npos, "label 2 rejected", err);
    check(!parseCsv("x1,x2,label\n1,abc,0\n", err), "non-number rejected", err);
    check(!parseCsv("x1,x2,label\n1,nan,0\n", err), "NaN rejected", err);
    check(!parseCsv("x1,x2,label\n1,2\n", err), "missing column rejected", err);
    check(!parseCsv("x1,x2,label\n", err), "header-only file rejected", err);
}

void testSigmoid()
{
    std::puts("sigmoid");
    check(sigmoid(0) == 0.5, "sigmoid(0) = 0.5");
    check(std::fabs(sigmoid(2) - 0.8807970779778823) < 1e-15, "sigmoid(2) = 0.880797077977882");
    bool symmetric = true;
    for (double z = -30; z <= 30; z += 0.75)
        symmetric = symmetric && std::fabs(sigmoid(z) + sigmoid(-z) - 1) < 1e-15;
    check(symmetric, "sigmoid(z) + sigmoid(-z) = 1");
    check(sigmoid(1000) == 1 && sigmoid(-1000) == 0 && std::isfinite(sigmoid(-1e308)), "no overflow at +-1000");
}

void testGradient()
{
    std::puts("gradient (finite differences)");
    SplitMix64 rng(7);
    auto uniform = [&rng] { return double(rng.next() >> 11) / 9007199254740992.0 * 4 - 2; };
    std::vector<Sample> data;
    for (int i = 0; i < 40; ++i)
        data.push_back({uniform(), uniform(), int(rng.next() & 1)});
    std::vector<std::size_t> idx;
    for (std::size_t i = 0; i < data.size(); ++i)
        idx.push_back(i);
    Model m;
    fitStandardisation(m, data);
    m.w1 = 0.7, m.w2 = -1.3, m.b = 0.2;
    Gradient g;
    batchLoss(m, data, idx, &g);
    const double h = 1e-6;
    double worst = 0;
    double *params[] = {&m.w1, &m.w2, &m.b};
    const double analytic[] = {g.w1, g.w2, g.b};
    for (int k = 0; k < 3; ++k) {
        const double saved = *params[k];
        *params[k] = saved + h;
        const double up = batchLoss(m, data, idx);
        *params[k] = saved - h;
        const double down = batchLoss(m, data, idx);
        *params[k] = saved;
        const double numeric = (up - down) / (2 * h);
        worst = std::max(worst, std::fabs(numeric - analytic[k]) /
                                    std::max(1e-8, std::fabs(numeric) + std::fabs(analytic[k])));
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "max relative error %.2e", worst);
    check(worst < 1e-7, "analytic gradient matches central differences", buf);
}

void testRng()
{
    std::puts("prng and shuffle");
    SplitMix64 r(1234567);
    const auto a = r.next(), b = r.next(), c = r.next();
    check(a == 6457827717110365317ull && b == 3203168211198807973ull && c == 9817491932198370423ull,
          "splitmix64 reference sequence (seed 1234567)");
    std::vector<std::size_t> v(100), w(100);
    for (std::size_t i = 0; i < v.size(); ++i)
        v[i] = w[i] = i;
    SplitMix64 r1(42), r2(42);
    shuffle(v, r1);
    shuffle(w, r2);
    std::vector<int> seen(100, 0);
    for (auto x : v)
        seen[x]++;
    bool perm = true;
    for (int s : seen)
        perm = perm && s == 1;
    std::size_t moved = 0;
    for (std::size_t i = 0; i < v.size(); ++i)
        moved += v[i] != i;
    check(perm && v == w && moved > 90, "shuffle is a deterministic permutation",
          std::to_string(moved) + " of 100 moved");
}

void testCrc()
{
    std::puts("crc32c");
    const std::string zeros(32, '\0'), ones(32, '\xFF');
    std::string asc, desc;
    for (int i = 0; i < 32; ++i) {
        asc += char(i);
        desc += char(31 - i);
    }
    const struct
    {
        const char *name;
        std::string data;
        std::uint32_t want;
    } vectors[] = {
        {"\"123456789\"", "123456789", 0xE3069283u},
        {"32 x 0x00", zeros, 0x8A9136AAu},
        {"32 x 0xFF", ones, 0x62A8AB43u},
        {"0x00..0x1F", asc, 0x46DD794Eu},
        {"0x1F..0x00", desc, 0x113FDB5Cu},
        {"empty", "", 0u},
    };
    for (const auto &v : vectors) {
        const auto got = crc32c(v.data);
        check(got == v.want, (std::string("crc32c(") + v.name + ") = " + hex32(v.want)).c_str(),
              got == v.want ? "" : "got " + hex32(got));
    }
    check(crc32c("56789", crc32c("1234")) == 0xE3069283u, "incremental crc32c");
    check(maskedCrc32c("") == 0xa282ead8u, "mask of crc 0 = 0xa282ead8");
}

void testEvents()
{
    std::puts("event file");
    std::string varint;
    pb::putVarint(varint, 300);
    pb::putVarint(varint, 1);
    check(hex(varint) == "ac0201", "varint(300), varint(1) = ac 02 01");
    const auto ev = encodeScalarEvent(1700000000.25, 25, "loss", 0.5f);
    const std::string golden = "0900001040fc54d94110192a0d0a0b0a046c6f7373150000003f";
    check(hex(ev) == golden, "scalar Event bytes match the protobuf golden", hex(ev) == golden ? "" : hex(ev));
    const auto rec = frameRecord("abc");
    check(rec.size() == 8 + 4 + 3 + 4 && rec.substr(0, 8) == std::string("\3\0\0\0\0\0\0\0", 8), "TFRecord framing");

    EventWriter w(1700000000.0, 0.01);
    const char *tags[] = {"loss", "accuracy", "learning_rate"};
    for (int step = 1; step <= 50; ++step)
        for (int t = 0; t < 3; ++t)
            w.addScalar(step, tags[t], float(step) / float(t + 3));
    std::string err;
    const auto events = decodeEventFile(w.bytes(), err);
    check(events.has_value(), "writer output re-reads (framing, both CRCs, wire format)", err);
    bool ok = events && events->size() == 151 && (*events)[0].fileVersion == "brain.Event:2" &&
              (*events)[0].step == 0 && (*events)[0].wallTime == 1700000000.0 && (*events)[0].scalars.empty();
    check(ok, "first record is file_version brain.Event:2 at step 0");
    bool same = events && events->size() == 151;
    for (std::size_t i = 1; same && i < events->size(); ++i) {
        const auto &e = (*events)[i];
        const int step = int((i - 1) / 3) + 1, t = int((i - 1) % 3);
        same = e.step == step && e.wallTime == 1700000000.0 + step * 0.01 && e.scalars.size() == 1 &&
               e.scalars[0].first == tags[t] && e.scalars[0].second == float(step) / float(t + 3);
    }
    check(same, "150 scalars round-trip bit-exactly (step, wall_time, tag, value)");
    auto corrupt = w.bytes();
    corrupt[corrupt.size() / 2] ^= 0x01;
    check(!decodeEventFile(corrupt, err), "a flipped bit is detected", err);
    check(!decodeEventFile(std::string_view(w.bytes()).substr(0, w.bytes().size() - 3), err), "truncation is detected",
          err);
}

void testModelAndTar()
{
    std::puts("model file and export");
    Model m;
    m.w1 = 2.3456789012345, m.w2 = -0.1, m.b = 1e-7, m.mean1 = 0.5, m.mean2 = -0.25, m.std1 = 1.1, m.std2 = 0.9;
    std::string err;
    const auto text = m.serialize();
    const auto back = Model::parse(text, err);
    check(back && back->serialize() == text, "model text round-trips", err);
    check(back && std::fabs(back->logit({1, 2, 0}) - m.logit({1, 2, 0})) < 1e-7, "parsed model predicts the same");
    check(!Model::parse("weights 1 2\n", err), "incomplete model rejected", err);

    err.clear();
    const auto tar = makeTar({{"model.txt", text}, {"MANIFEST.txt", "x\n"}}, err);
    check(tar && tar->size() % 10240 == 0, "tar is a whole number of 10240-byte records");
    const auto members = tar ? readTar(*tar, err) : std::nullopt;
    check(members && members->size() == 2 && (*members)[0].name == "model.txt" && (*members)[0].data == text &&
              (*members)[1].data == "x\n",
          "tar round-trips (magic, header checksums, contents)", err);
    const auto tar2 = makeTar({{"model.txt", text}, {"MANIFEST.txt", "x\n"}}, err);
    check(tar && tar2 && *tar == *tar2, "tar bytes are deterministic");
}

void testTraining()
{
    std::puts("training");
    std::vector<Sample> data;
    SplitMix64 rng(3);
    for (int i = 0; i < 200; ++i) {
        const double x1 = double(rng.next() >> 11) / 9007199254740992.0 * 4 - 2;
        const double x2 = double(rng.next() >> 11) / 9007199254740992.0 * 4 - 2;
        data.push_back({x1, x2, x1 + 0.5 * x2 > 0.3 ? 1 : 0});
    }
    TrainOptions o;
    o.epochs = 20;
    o.lr = 0.5;
    int steps = 0;
    double firstLoss = 0, lastLoss = 0, firstLr = 0, lastLr = 0;
    const auto m1 = train(data, o,
                          [&](const StepRecord &r) {
                              if (steps++ == 0)
                                  firstLoss = r.loss, firstLr = r.lr;
                              lastLoss = r.loss, lastLr = r.lr;
                          },
                          {});
    const auto m2 = train(data, o, {}, {});
    const auto metrics = evaluateModel(m1, data);
    check(steps == 20 * 7, "7 mini-batches of <= 32 per epoch", std::to_string(steps) + " steps");
    check(lastLoss < firstLoss && metrics.accuracy >= 0.97, "loss falls and a separable set is learnt",
          "accuracy " + std::to_string(metrics.accuracy));
    check(firstLr == 0.5 && std::fabs(lastLr - 0.05) < 1e-12, "cosine schedule 0.5 -> 0.05");
    check(m1.serialize() == m2.serialize(), "two runs give the same model");
}

} // namespace

int runSelftest()
{
    std::puts("trainer selftest");
    testCsv();
    testSigmoid();
    testGradient();
    testRng();
    testCrc();
    testEvents();
    testModelAndTar();
    testTraining();
    std::printf("selftest: %d passed, %d failed\n", g_passed, g_failed);
    if (g_failed) {
        std::fprintf(stderr, "trainer: selftest failed (%d check%s)\n", g_failed, g_failed == 1 ? "" : "s");
        return 1;
    }
    return 0;
}

} // namespace demo
