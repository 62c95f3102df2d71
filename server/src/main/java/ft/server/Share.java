package ft.server;

import ft.server.storage.Storage;

/**
 * What one connection may reach, fixed by its hello: the tree it sees as its root, whether it
 * may change anything, and who it is.
 *
 * <p>Without {@code --users} every connection shares the served root with the server's
 * {@code --read-only} flag; with it, each user has their own root and flag. Request handlers
 * reach the tree through this share's storage only.
 *
 * @param user the authenticated user's name, or null for anonymous access
 */
record Share(Storage storage, boolean readOnly, String user) {
    Share {
        java.util.Objects.requireNonNull(storage, "storage");
    }

    /** The same tree as seen by {@code user}, with {@code readOnly}. */
    Share as(String user, boolean readOnly) {
        return new Share(storage, readOnly, user);
    }
}
