// The Git source: fetches a fleet repository through libgit2 and hands out commit file trees.
//
// - `GitMirror`: a bare cache per remote URL; `fetch` (incremental, offline fallback),
//   `snapshot`, `history`, `cachedCommit`.
// - `LocalGitRepository`: a repository on this machine, read in place.
// - `LocalDirectoryTree`: a plain folder as a `FileTree`.
// - `openSource(repo:ref:cacheRoot:credentials:)`: picks one of the three for a URL or path.
// - `GitCredentials` (from a file or the environment) and `GitSourceError` never show secrets.
