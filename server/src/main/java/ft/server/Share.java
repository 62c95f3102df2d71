package ft.server;

/**
 * What one connection may reach, fixed by its hello: the directory it sees as its root, where
 * that root's interrupted uploads are kept, whether it may change anything, and who it is.
 *
 * <p>Without {@code --users} every connection shares the served root with the server's
 * {@code --read-only} flag; with it, each user has their own root and flag. Request handlers
 * take paths through this share only, never through the server's own root.
 *
 * @param user the authenticated user's name, or null for anonymous access
 */
record Share(RootJail jail, PartialStore partials, boolean readOnly, String user) {
    Share {
        java.util.Objects.requireNonNull(jail, "jail");
        java.util.Objects.requireNonNull(partials, "partials");
    }

    /** The same directory as seen by {@code user}, with {@code readOnly}. */
    Share as(String user, boolean readOnly) {
        return new Share(jail, partials, readOnly, user);
    }
}
