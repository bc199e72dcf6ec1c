#include "ansitext.h"

#include <QFont>

#include <algorithm>
#include <array>

namespace trainyard::ui {

namespace {

constexpr QChar Escape = QChar(0x1b);
constexpr QChar Bell = QChar(0x07);

// The basic 16 colours: readable on light and dark backgrounds alike (close to VS Code's terminal).
constexpr std::array<QRgb, 16> BasicColors = {
    0xff000000, 0xffcd3131, 0xff0dbc79, 0xffe5e510, 0xff2472c8, 0xffbc3fbc, 0xff11a8cd, 0xffe5e5e5,
    0xff666666, 0xfff14c4c, 0xff23d18b, 0xfff5f543, 0xff3b8eea, 0xffd670d6, 0xff29b8db, 0xffffffff,
};

bool isPlain(QChar c)
{
    return c.unicode() >= 0x20 || c == u'\t';
}

} // namespace

QColor AnsiText::color256(int index)
{
    if (index < 0 || index > 255)
        return {};
    if (index < 16)
        return QColor::fromRgb(BasicColors[size_t(index)]);
    if (index < 232) {
        static constexpr std::array<int, 6> Levels = {0, 95, 135, 175, 215, 255};
        const int i = index - 16;
        return QColor(Levels[size_t(i / 36)], Levels[size_t(i / 6 % 6)], Levels[size_t(i % 6)]);
    }
    const int grey = 8 + 10 * (index - 232);
    return QColor(grey, grey, grey);
}

QTextCharFormat AnsiText::format(const State &state)
{
    QTextCharFormat f;
    if (state.bold)
        f.setFontWeight(QFont::Bold);
    if (state.italic)
        f.setFontItalic(true);
    if (state.underline)
        f.setFontUnderline(true);
    if (state.foreground) {
        QColor c = *state.foreground;
        if (state.dim)
            c.setAlpha(150);
        f.setForeground(c);
    } else if (state.dim) {
        // The view's default colour is unknown here; mid grey reads as "dim" on light and dark.
        f.setForeground(QColor(128, 128, 128));
    }
    if (state.background)
        f.setBackground(*state.background);
    return f;
}

void AnsiText::applySgr(QStringView params, State &state)
{
    std::vector<int> codes;
    int value = 0;
    for (const QChar c : params) {
        if (c >= u'0' && c <= u'9') {
            value = std::min(value * 10 + (c.unicode() - u'0'), 100000);
        } else if (c == u';' || c == u':') {
            codes.push_back(value);
            value = 0;
        } else {
            return; // private SGR forms (ESC[>4m …) are not attributes
        }
    }
    codes.push_back(value); // "ESC[m" is "ESC[0m"

    const size_t n = codes.size();
    for (size_t k = 0; k < n; ++k) {
        const int code = codes[k];
        if (code == 0) {
            state = State{};
        } else if (code == 1) {
            state.bold = true;
        } else if (code == 2) {
            state.dim = true;
        } else if (code == 3) {
            state.italic = true;
        } else if (code == 4) {
            state.underline = true;
        } else if (code == 22) {
            state.bold = state.dim = false;
        } else if (code == 23) {
            state.italic = false;
        } else if (code == 24) {
            state.underline = false;
        } else if (code >= 30 && code <= 37) {
            state.foreground = color256(code - 30);
        } else if (code >= 90 && code <= 97) {
            state.foreground = color256(code - 90 + 8);
        } else if (code == 39) {
            state.foreground.reset();
        } else if (code >= 40 && code <= 47) {
            state.background = color256(code - 40);
        } else if (code >= 100 && code <= 107) {
            state.background = color256(code - 100 + 8);
        } else if (code == 49) {
            state.background.reset();
        } else if (code == 38 || code == 48) {
            QColor color;
            if (k + 2 < n && codes[k + 1] == 5) {
                color = color256(codes[k + 2]);
                k += 2;
            } else if (k + 4 < n && codes[k + 1] == 2) {
                color = QColor(std::min(codes[k + 2], 255), std::min(codes[k + 3], 255), std::min(codes[k + 4], 255));
                k += 4;
            } else {
                return; // truncated extended colour: the rest cannot be trusted
            }
            if (color.isValid())
                (code == 38 ? state.foreground : state.background) = color;
        }
        // Anything else (blink, inverse, fonts…) is not rendered.
    }
}

std::vector<AnsiText::Run> AnsiText::parse(QStringView line, State &state)
{
    std::vector<Run> runs;
    QString pending;
    QTextCharFormat pendingFormat = format(state);
    bool carriageReturn = false;

    const auto flush = [&] {
        if (pending.isEmpty())
            return;
        if (!runs.empty() && runs.back().format == pendingFormat)
            runs.back().text += pending;
        else
            runs.push_back(Run{pending, pendingFormat});
        pending.clear();
    };

    const qsizetype n = line.size();
    qsizetype i = 0;
    while (i < n) {
        const QChar c = line[i];
        if (c == Escape) {
            if (i + 1 >= n)
                break;
            const QChar kind = line[i + 1];
            if (kind == u'[') {
                // CSI: parameter and intermediate bytes (0x20–0x3F), then one final byte.
                qsizetype j = i + 2;
                while (j < n && line[j].unicode() >= 0x20 && line[j].unicode() <= 0x3f)
                    ++j;
                if (j >= n)
                    break; // cut off: drop it
                if (line[j] == u'm') {
                    flush();
                    applySgr(line.sliced(i + 2, j - i - 2), state);
                    pendingFormat = format(state);
                }
                // Cursor moves and erasures make no sense in a log: dropped.
                i = j + 1;
            } else if (kind == u']') {
                // OSC (titles, hyperlinks): up to BEL or ESC \.
                qsizetype j = i + 2;
                while (j < n && line[j] != Bell && !(line[j] == Escape && j + 1 < n && line[j + 1] == u'\\'))
                    ++j;
                i = j >= n ? n : (line[j] == Bell ? j + 1 : j + 2);
            } else {
                // Other escapes (charset selection "ESC ( B", keypad modes…): intermediates, final.
                qsizetype j = i + 1;
                while (j < n && line[j].unicode() >= 0x20 && line[j].unicode() <= 0x2f)
                    ++j;
                i = std::min(j + 1, n);
            }
            continue;
        }
        if (c == u'\r') {
            carriageReturn = true;
            ++i;
            continue;
        }
        if (!isPlain(c)) {
            ++i; // BEL, backspace and other controls are not printable
            continue;
        }
        if (carriageReturn) {
            // Something is written after a carriage return: a progress update replaces the line.
            // A trailing \r (CRLF endings) therefore keeps the text.
            runs.clear();
            pending.clear();
            carriageReturn = false;
        }
        qsizetype j = i + 1;
        while (j < n && isPlain(line[j]))
            ++j;
        pending += line.sliced(i, j - i);
        i = j;
    }
    flush();
    return runs;
}

QString AnsiText::plainText(QStringView line)
{
    State state;
    QString text;
    for (const Run &run : parse(line, state))
        text += run.text;
    return text;
}

} // namespace trainyard::ui
