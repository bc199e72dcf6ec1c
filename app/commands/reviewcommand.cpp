#include "command.h"
#include "common/username.h"
#include "lineagecli.h"

#include "lineage/provenance.h"
#include "lineage/provenanceexport.h"
#include "lineage/releasereview.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

namespace trainyard::app {

using namespace trainyard::core;

namespace {

// Some check of the checklist failed (the review and any sign-off or export still happened).
constexpr int ExitChecksFailed = 3;

/// The sign-off the options ask for: none when neither approve nor reject is set.
struct SignOffRequest
{
    bool approve = false;
    bool reject = false;
    QString reviewer;
    QString comment;
};

/// The artifact under review, and its lineage.
struct ReviewedArtifact
{
    LineageArtifact artifact;
    ArtifactProvenance lineage;
};

void addReviewOptions(QCommandLineParser &p)
{
    addProjectOption(p);
    p.addOption(QCommandLineOption(QStringLiteral("approve"), QStringLiteral("Sign off: approve the release.")));
    addTeamOption(p, QStringLiteral("Review an artifact of any engineer's run, and sign off (leads only: the server "
                                    "decides),"));
    p.addOption(QCommandLineOption(QStringLiteral("reject"), QStringLiteral("Sign off: reject the release.")));
    p.addOption(QCommandLineOption(QStringLiteral("comment"), QStringLiteral("A comment with the sign-off."),
                                   QStringLiteral("TEXT")));
    p.addOption(QCommandLineOption(QStringLiteral("reviewer"),
                                   QStringLiteral("Who signs (default: $USER, else the account name)."),
                                   QStringLiteral("NAME")));
    p.addOption(QCommandLineOption(
        QStringLiteral("export"),
        QStringLiteral("Write the report: FILE.md, FILE.html, or FILE.json (in-toto Statement with SLSA "
                       "provenance v1)."),
        QStringLiteral("FILE")));
    p.addOption(QCommandLineOption(QStringLiteral("run"),
                                   QStringLiteral("The artifact as this run produced it (default: the newest)."),
                                   QStringLiteral("RUN_ID")));
    p.addOption(
        QCommandLineOption(QStringLiteral("json"), QStringLiteral("Print the checklist and sign-offs as JSON.")));
    p.addPositionalArgument(QStringLiteral("ARTIFACT"),
                            QStringLiteral("An artifact path, its sha256, or a file holding it."));
}

/// Checks the arguments and reads the sign-off they ask for; nullopt (after saying why on err)
/// when they are not valid.
std::optional<SignOffRequest> signOffRequest(const QCommandLineParser &p, QTextStream &err)
{
    if (p.positionalArguments().size() != 1) {
        err << "trainyard review: give one ARTIFACT\nTry 'trainyard review --help'.\n";
        return std::nullopt;
    }
    SignOffRequest request;
    request.approve = p.isSet(QStringLiteral("approve"));
    request.reject = p.isSet(QStringLiteral("reject"));
    if (request.approve && request.reject) {
        err << "trainyard review: --approve or --reject, not both\n";
        return std::nullopt;
    }
    if (!request.approve && !request.reject &&
        (p.isSet(QStringLiteral("comment")) || p.isSet(QStringLiteral("reviewer")))) {
        err << "trainyard review: --comment and --reviewer go with --approve or --reject\n";
        return std::nullopt;
    }
    request.reviewer = p.isSet(QStringLiteral("reviewer")) ? p.value(QStringLiteral("reviewer")) : currentUserName();
    if ((request.approve || request.reject) && request.reviewer.trimmed().isEmpty()) {
        err << "trainyard review: who signs? Give --reviewer NAME\n";
        return std::nullopt;
    }
    request.comment = p.value(QStringLiteral("comment"));
    return request;
}

/// The artifact ARTIFACT (and --run) names, with its lineage; nullopt after saying why on err.
std::optional<ReviewedArtifact> reviewedArtifact(const Provenance &provenance, const QCommandLineParser &p,
                                                 QTextStream &err)
{
    auto artifact = provenance.resolveArtifact(p.positionalArguments().first(), p.value(QStringLiteral("run")));
    if (!artifact) {
        err << "trainyard review: " << artifact.error().message << "\n";
        return std::nullopt;
    }
    auto lineage = provenance.ofArtifact(*artifact);
    if (!lineage) {
        err << "trainyard review: " << lineage.error().toString() << "\n";
        return std::nullopt;
    }
    return ReviewedArtifact{std::move(*artifact), std::move(*lineage)};
}

/// Appends the sign-off asked for, if any; false (after saying why on err) when it cannot be.
bool signOffIfAsked(ReleaseReview &review, const ArtifactProvenance &lineage, const ReleaseChecklist &checklist,
                    const SignOffRequest &request, QTextStream &err)
{
    if (!request.approve && !request.reject)
        return true;
    if (request.approve && !checklist.passed())
        err << "warning: approving although some checks failed\n";
    const auto signed_ =
        review.signOff(lineage, request.reviewer,
                       request.approve ? QStringLiteral("approve") : QStringLiteral("reject"), request.comment);
    if (!signed_) {
        err << "trainyard review: " << signed_.error().toString() << "\n";
        return false;
    }
    return true;
}

/// Writes the report to `file`, in the format its name says; ExitOk, or the exit status after
/// saying why on err.
int exportReport(const QString &file, const ArtifactProvenance &lineage, const ReleaseChecklist &checklist,
                 const std::vector<SignOffStatus> &signOffs, QTextStream &err)
{
    const auto bytes = ProvenanceExport::render(file, lineage, checklist, signOffs);
    if (!bytes) {
        err << "trainyard review: " << bytes.error().message << "\n";
        return int(ExitUsage);
    }
    QSaveFile f(file);
    if (!f.open(QIODevice::WriteOnly) || f.write(*bytes) != bytes->size() || !f.commit()) {
        err << "trainyard review: cannot write " << file << ": " << f.errorString() << "\n";
        return int(ExitFailed);
    }
    return int(ExitOk);
}

/// Prints the artifact, whether it passed, the checklist and the sign-offs as one JSON object.
void printJson(QTextStream &out, const ArtifactProvenance &lineage, const ReleaseChecklist &checklist,
               const std::vector<SignOffStatus> &signOffs)
{
    QJsonArray signs;
    for (const SignOffStatus &s : signOffs) {
        QJsonObject o = toJson(s.signOff);
        o.insert(QStringLiteral("stale"), s.stale);
        o.insert(QStringLiteral("other_run"), s.otherRun);
        signs.append(o);
    }
    out << QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("artifact"), toJson(lineage.artifact)},
                                                       {QStringLiteral("fingerprint"), lineage.fingerprint()},
                                                       {QStringLiteral("passed"), checklist.passed()},
                                                       {QStringLiteral("checklist"), checklist.toJson()},
                                                       {QStringLiteral("signoffs"), signs}})
                                 .toJson(QJsonDocument::Indented));
}

/// Prints the review for people: the artifact, the checklist, the sign-offs, and the file the
/// report was exported to, if it was.
void printText(QTextStream &out, const LineageArtifact &artifact, const ReleaseChecklist &checklist,
               const std::vector<SignOffStatus> &signOffs, const std::optional<QString> &exportFile)
{
    out << "Release review of " << artifact.path << " (sha256:" << artifact.sha256 << ")\n"
        << "produced by job " << artifact.job << " in run " << artifact.runId << "\n\n";
    for (const ChecklistItem &i : checklist.items) {
        out << QStringLiteral("[%1] ").arg(ChecklistItem::stateName(i.state).toUpper(), -7) << i.title << "\n";
        for (const QString &d : i.details)
            out << "          " << d << "\n";
    }
    out << "\nSign-offs:" << (signOffs.empty() ? " none yet\n" : "\n");
    for (const SignOffStatus &s : signOffs) {
        out << "  " << localTime(s.signOff.signedAt) << "  " << s.signOff.decision << " by " << s.signOff.reviewer
            << (s.signOff.signedInAs.isEmpty() || s.signOff.signedInAs == s.signOff.reviewer
                    ? QString()
                    : QStringLiteral(" (signed in to the team store as %1)").arg(s.signOff.signedInAs))
            << (s.signOff.comment.isEmpty() ? QString() : QStringLiteral(": ") + s.signOff.comment)
            << (s.otherRun ? QStringLiteral("  (given for run %1, which made the same bytes)").arg(s.signOff.runId)
                           : QString())
            << (s.stale ? QStringLiteral("  (stale: the lineage changed since)") : QString()) << "\n";
    }
    if (exportFile)
        out << "\nWrote " << *exportFile << "\n";
}

/// `trainyard review`: checks the options, signs off if asked, exports if asked, prints the review.
int runReview(const QCommandLineParser &p, QTextStream &out, QTextStream &err)
{
    const auto request = signOffRequest(p, err);
    if (!request)
        return int(ExitUsage);
    int failed = 0;
    const auto store = openLineageOrTeam(p, err, QStringLiteral("review"), failed);
    if (!store)
        return failed;
    const Provenance provenance(*store);
    const auto reviewed = reviewedArtifact(provenance, p, err);
    if (!reviewed)
        return int(ExitFailed);
    const ArtifactProvenance &lineage = reviewed->lineage;
    const ReleaseChecklist checklist =
        ReleaseReview::checklist(lineage, ReleasePolicy::ofProject(p.value(QStringLiteral("C"))));
    ReleaseReview review(*store);

    if (!signOffIfAsked(review, lineage, checklist, *request, err))
        return int(ExitFailed);
    const auto signOffs = review.signOffs(lineage);
    if (!signOffs) {
        err << "trainyard review: " << signOffs.error().toString() << "\n";
        return int(ExitFailed);
    }

    const std::optional<QString> exportFile =
        p.isSet(QStringLiteral("export")) ? std::optional<QString>(p.value(QStringLiteral("export"))) : std::nullopt;
    if (exportFile) {
        if (const int status = exportReport(*exportFile, lineage, checklist, *signOffs, err); status != int(ExitOk))
            return status;
    }

    if (p.isSet(QStringLiteral("json")))
        printJson(out, lineage, checklist, *signOffs);
    else
        printText(out, reviewed->artifact, checklist, *signOffs, exportFile);
    return checklist.passed() ? int(ExitOk) : ExitChecksFailed;
}

} // namespace

Command reviewCommand()
{
    Command c;
    c.name = QStringLiteral("review");
    c.brief = QStringLiteral("Release review of an artifact: its checklist, sign-offs, approve or reject, and export.");
    c.summary = QStringLiteral(
        "Release review of an artifact: the checklist computed from its lineage, the sign-offs (append-only;\n"
        "stale once the lineage changed), approve or reject, and export as Markdown, HTML or in-toto/SLSA JSON.\n"
        "Exit status: 0 every check passed (unknown ones do not block), 3 a check failed, 1 artifact not found,\n"
        "2 invalid options.");
    c.arguments = QStringLiteral("ARTIFACT");
    c.addOptions = addReviewOptions;
    c.run = runReview;
    return c;
}

} // namespace trainyard::app
