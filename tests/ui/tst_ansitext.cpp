// AnsiText: SGR attributes and colours become formats; other escapes and \r updates vanish.
#include "console/ansitext.h"

#include <QFont>
#include <QTest>

using namespace trainyard::ui;

namespace {

QString colorName(const QColor &c)
{
    return c.alpha() == 255 ? c.name() : c.name(QColor::HexArgb);
}

// "text" or "text[b,i,u,fg=#rrggbb,bg=#rrggbb]"
QString describe(const AnsiText::Run &run)
{
    const QTextCharFormat &f = run.format;
    QStringList attrs;
    if (f.hasProperty(QTextFormat::FontWeight) && f.fontWeight() == QFont::Bold)
        attrs << QStringLiteral("b");
    if (f.fontItalic())
        attrs << QStringLiteral("i");
    if (f.fontUnderline())
        attrs << QStringLiteral("u");
    if (f.hasProperty(QTextFormat::ForegroundBrush))
        attrs << QStringLiteral("fg=") + colorName(f.foreground().color());
    if (f.hasProperty(QTextFormat::BackgroundBrush))
        attrs << QStringLiteral("bg=") + colorName(f.background().color());
    return attrs.isEmpty() ? run.text : run.text + u'[' + attrs.join(u',') + u']';
}

QStringList describe(const std::vector<AnsiText::Run> &runs)
{
    QStringList out;
    for (const AnsiText::Run &run : runs)
        out << describe(run);
    return out;
}

// Test inputs write ESC as "\\e" for readability.
QString esc(const char *text)
{
    return QString::fromUtf8(text).replace(QStringLiteral("\\e"), QString(QChar(0x1b)));
}

} // namespace

class tst_AnsiText final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data();
    void parse();
    void stateCarriesAcrossLines();
    void plainText();
    void palette256();
};

void tst_AnsiText::parse_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QStringList>("runs");
    const auto row = [](const char *name, const char *line, QStringList runs) {
        QTest::newRow(name) << esc(line) << runs;
    };
    const auto l = [](std::initializer_list<const char *> items) {
        QStringList out;
        for (const char *s : items)
            out << QString::fromUtf8(s);
        return out;
    };
    row("plain", "hello world", l({"hello world"}));
    row("empty", "", l({}));
    row("tab kept", "a\tb", l({"a\tb"}));
    row("bold then reset", "\\e[1mbold\\e[0m plain", l({"bold[b]", " plain"}));
    row("empty params reset", "\\e[1mx\\e[my", l({"x[b]", "y"}));
    row("italic underline", "\\e[3;4mx\\e[23my\\e[24mz", l({"x[i,u]", "y[u]", "z"}));
    row("22 ends bold", "\\e[1mx\\e[22my", l({"x[b]", "y"}));
    row("dim", "\\e[2mx", l({"x[fg=#808080]"}));
    row("dim colour", "\\e[31;2mx", l({"x[fg=#96cd3131]"}));
    row("fg 31", "\\e[31mred", l({"red[fg=#cd3131]"}));
    row("fg 37", "\\e[37mw", l({"w[fg=#e5e5e5]"}));
    row("bright fg 91", "\\e[91mx", l({"x[fg=#f14c4c]"}));
    row("bright fg 97", "\\e[97mx", l({"x[fg=#ffffff]"}));
    row("fg 39 default", "\\e[32mg\\e[39md", l({"g[fg=#0dbc79]", "d"}));
    row("bg 42", "\\e[42mx", l({"x[bg=#0dbc79]"}));
    row("bright bg 104", "\\e[104mx", l({"x[bg=#3b8eea]"}));
    row("bg 49 default", "\\e[41mx\\e[49my", l({"x[bg=#cd3131]", "y"}));
    row("256 cube red", "\\e[38;5;196mx", l({"x[fg=#ff0000]"}));
    row("256 cube mixed", "\\e[38;5;67mx", l({"x[fg=#5f87af]"}));
    row("256 basic", "\\e[38;5;4mx", l({"x[fg=#2472c8]"}));
    row("256 grey bg", "\\e[48;5;244mx", l({"x[bg=#808080]"}));
    row("256 out of range", "\\e[38;5;300mx", l({"x"}));
    row("truecolor fg", "\\e[38;2;10;20;30mx", l({"x[fg=#0a141e]"}));
    row("truecolor bg", "\\e[48;2;255;128;0mx", l({"x[bg=#ff8000]"}));
    row("truecolor colons", "\\e[38:2:1:2:3mx", l({"x[fg=#010203]"}));
    row("combined", "\\e[1;4;38;5;46mx", l({"x[b,u,fg=#00ff00]"}));
    row("after extended colour", "\\e[38;5;196;1mx", l({"x[b,fg=#ff0000]"}));
    row("unknown code ignored", "\\e[5mblink", l({"blink"}));
    row("same format merges", "a\\e[0mb\\e[39mc", l({"abc"}));
    row("erase line stripped", "abc\\e[K", l({"abc"}));
    row("erase 2K stripped", "\\e[2Kabc", l({"abc"}));
    row("cursor moves stripped", "\\e[2A\\e[10Cabc\\e[1;1H", l({"abc"}));
    row("private modes stripped", "\\e[?25lhidden\\e[?25h", l({"hidden"}));
    row("osc title stripped", "\\e]0;title\atext", l({"text"}));
    row("osc hyperlink stripped", "\\e]8;;http://x\\e\\link\\e]8;;\\e\\", l({"link"}));
    row("charset escape stripped", "\\e(Bx", l({"x"}));
    row("truncated csi dropped", "ok\\e[31", l({"ok"}));
    row("lone esc dropped", "ok\\e", l({"ok"}));
    row("bell dropped", "ding\a", l({"ding"}));
    row("cr keeps last segment", "10%\r50%\r100%", l({"100%"}));
    row("trailing cr keeps text", "done\r", l({"done"}));
    row("cr then erase", "working\r\\e[2Kfinished", l({"finished"}));
    row("cr keeps colours", "\\e[32m10%\r20%", l({"20%[fg=#0dbc79]"}));
    row("cr after reset", "\\e[1m1/3\r\\e[0m3/3", l({"3/3"}));
}

void tst_AnsiText::parse()
{
    QFETCH(QString, line);
    QFETCH(QStringList, runs);
    AnsiText::State state;
    QCOMPARE(describe(AnsiText::parse(line, state)), runs);
}

void tst_AnsiText::stateCarriesAcrossLines()
{
    AnsiText::State state;
    QCOMPARE(describe(AnsiText::parse(esc("\\e[1;31mred"), state)), QStringList{QStringLiteral("red[b,fg=#cd3131]")});
    QVERIFY(state.bold);
    QCOMPARE(describe(AnsiText::parse(QStringLiteral("still red"), state)),
             QStringList{QStringLiteral("still red[b,fg=#cd3131]")});
    QCOMPARE(describe(AnsiText::parse(esc("\\e[0m"), state)), QStringList{});
    QCOMPARE(state, AnsiText::State{});
    QCOMPARE(describe(AnsiText::parse(QStringLiteral("plain"), state)), QStringList{QStringLiteral("plain")});

    // A different stream keeps its own state.
    AnsiText::State other;
    (void)AnsiText::parse(esc("\\e[44m"), other);
    QCOMPARE(describe(AnsiText::parse(QStringLiteral("x"), state)), QStringList{QStringLiteral("x")});
    QCOMPARE(describe(AnsiText::parse(QStringLiteral("y"), other)), QStringList{QStringLiteral("y[bg=#2472c8]")});
}

void tst_AnsiText::plainText()
{
    QCOMPARE(AnsiText::plainText(esc("\\e[1m\\e[32mPASS\\e[0m tests/a.py \\e[K")), QStringLiteral("PASS tests/a.py "));
    QCOMPARE(AnsiText::plainText(esc("Downloading  10%\rDownloading 100%")), QStringLiteral("Downloading 100%"));
}

void tst_AnsiText::palette256()
{
    QCOMPARE(AnsiText::color256(16), QColor(0, 0, 0));
    QCOMPARE(AnsiText::color256(231), QColor(255, 255, 255));
    QCOMPARE(AnsiText::color256(232), QColor(8, 8, 8));
    QCOMPARE(AnsiText::color256(255), QColor(238, 238, 238));
    QVERIFY(!AnsiText::color256(-1).isValid());
    QVERIFY(!AnsiText::color256(256).isValid());
}

QTEST_MAIN(tst_AnsiText)
#include "tst_ansitext.moc"
