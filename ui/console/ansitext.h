#pragma once

#include <QColor>
#include <QString>
#include <QStringView>
#include <QTextCharFormat>

#include <optional>
#include <vector>

namespace trainyard::ui {

/// Turns one line of terminal output into formatted runs: SGR colours and attributes are
/// rendered, every other escape sequence is dropped, and `\r` progress updates keep only the
/// last segment. No widget involved; the state carries attributes from one line to the next.
class AnsiText final
{
public:
    /// Attributes in effect; keep one per stream, since programs rarely reset at line ends.
    struct State
    {
        bool bold = false;
        bool dim = false;
        bool italic = false;
        bool underline = false;
        std::optional<QColor> foreground; ///< empty: the view's default
        std::optional<QColor> background; ///< empty: the view's default

        bool operator==(const State &other) const = default;
    };

    /// A piece of text with one format. A default (empty) format means "as the view wants".
    struct Run
    {
        QString text;
        QTextCharFormat format;
    };

    /// Parses one line (without its newline), updating `state` with the SGR sequences seen.
    static std::vector<Run> parse(QStringView line, State &state);
    /// The line's text without any escape sequences, after `\r` handling.
    static QString plainText(QStringView line);
    /// The format for `state`: only the properties that differ from the default are set.
    static QTextCharFormat format(const State &state);
    /// xterm's 256-colour palette: 0–15 the basic colours, 16–231 a 6×6×6 cube, 232–255 greys.
    static QColor color256(int index);

private:
    static void applySgr(QStringView params, State &state);
};

} // namespace trainyard::ui
