#pragma once

// Owning handles for libgit2 objects and the small helpers every libgit2 user in core shares:
// every object a function obtains is freed on every path, errors name the path.

#include "common/error.h"

#include <QString>

#include <git2.h>

#include <memory>

namespace trainyard::core::git {

template <typename T, void (*Free)(T *)> struct Deleter
{
    void operator()(T *p) const { Free(p); }
};
template <typename T, void (*Free)(T *)> using Ptr = std::unique_ptr<T, Deleter<T, Free>>;

using RepoPtr = Ptr<git_repository, git_repository_free>;
using RefPtr = Ptr<git_reference, git_reference_free>;
using ObjectPtr = Ptr<git_object, git_object_free>;
using TreePtr = Ptr<git_tree, git_tree_free>;
using TreeEntryPtr = Ptr<git_tree_entry, git_tree_entry_free>;
using BlobPtr = Ptr<git_blob, git_blob_free>;
using DiffPtr = Ptr<git_diff, git_diff_free>;
using StatusPtr = Ptr<git_status_list, git_status_list_free>;
using ConfigPtr = Ptr<git_config, git_config_free>;

/// libgit2 keeps global state; it is initialised once and, since static objects of other users
/// may still call it at exit, never shut down.
inline void ensureInit()
{
    static const int once = git_libgit2_init();
    Q_UNUSED(once);
}

inline QString lastMessage()
{
    const git_error *e = git_error_last();
    return e && e->message ? QString::fromUtf8(e->message) : QStringLiteral("unknown libgit2 error");
}

/// "WHAT PATH: libgit2's message", located at the path.
inline Error error(const QString &what, const QString &path)
{
    return Error::error(QStringLiteral("%1 %2: %3").arg(what, path, lastMessage()), SourceLocation{path});
}

} // namespace trainyard::core::git
