// The Git source: fetches a fleet repository through libgit2 and hands out commit file trees.
