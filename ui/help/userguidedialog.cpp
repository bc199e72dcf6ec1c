#include "userguidedialog.h"

#include "async/onworker.h"

#include "common/userguide.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QImage>
#include <QPushButton>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextCursor>
#include <QTextDocument>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <utility>

namespace trainyard::ui {

namespace {

struct DecodedGuide
{
    QByteArray markdown;
    QList<std::pair<QString, QImage>> images;
    QString error;
};

/// Window-sized screenshots shown at the guide's width, their height in proportion. The image
/// fragments are found first, then changed (changing formats while walking them is unsafe).
void fitImages(QTextDocument *doc, int width)
{
    QList<std::pair<int, int>> spans;
    for (QTextBlock block = doc->begin(); block.isValid(); block = block.next()) {
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            const QTextFragment fragment = it.fragment();
            if (fragment.isValid() && fragment.charFormat().isImageFormat())
                spans.append({fragment.position(), fragment.length()});
        }
    }
    for (const auto &[position, length] : spans) {
        QTextCursor cursor(doc);
        cursor.setPosition(position);
        cursor.setPosition(position + length, QTextCursor::KeepAnchor);
        QTextImageFormat image = cursor.charFormat().toImageFormat();
        image.setWidth(width);
        cursor.setCharFormat(image);
    }
}

} // namespace

UserGuideDialog::UserGuideDialog(const QString &guide, QWidget *parent)
    : QDialog(parent)
    , m_browser(new QTextBrowser(this))
{
    setObjectName(QStringLiteral("userGuideDialog"));
    setWindowTitle(tr("Trainyard user guide"));
    auto *layout = new QVBoxLayout(this);
    m_browser->setObjectName(QStringLiteral("userGuideText"));
    m_browser->setOpenExternalLinks(true);
    m_browser->setPlaceholderText(tr("Reading the user guide…"));
    layout->addWidget(m_browser);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *back = buttons->addButton(tr("&Back"), QDialogButtonBox::ActionRole);
    back->setEnabled(false);
    connect(m_browser, &QTextBrowser::backwardAvailable, back, &QWidget::setEnabled);
    connect(back, &QPushButton::clicked, m_browser, &QTextBrowser::backward);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    layout->addWidget(buttons);
    resize(900, 720);

    onWorker(
        this,
        [guide] {
            DecodedGuide decoded;
            const auto text = core::UserGuide::read(guide);
            if (!text) {
                decoded.error = text.error().toString();
                return decoded;
            }
            decoded.markdown = text->markdown;
            for (const auto &[link, bytes] : text->images)
                decoded.images.append({link, QImage::fromData(bytes)});
            return decoded;
        },
        [this, dir = QFileInfo(guide).absolutePath()](const DecodedGuide &g) {
            if (!g.error.isEmpty()) {
                m_browser->setPlainText(g.error);
                return;
            }
            QTextDocument *doc = m_browser->document();
            m_browser->setSearchPaths({dir}); // links such as docs/cli.md open from beside the guide
            for (const auto &[link, image] : g.images)
                doc->addResource(QTextDocument::ImageResource, QUrl(link), image);
            doc->setMarkdown(QString::fromUtf8(g.markdown));
            fitImages(doc, 820);
        });
}

} // namespace trainyard::ui
