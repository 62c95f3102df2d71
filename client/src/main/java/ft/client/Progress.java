package ft.client;

/** Told how a transfer advances; the command line draws a bar from it, the library nothing. */
public interface Progress {
    /** A transfer of {@code total} bytes starts, {@code already} of them held from before. */
    default void start(String label, long total, long already) {}

    /** {@code done} bytes of the total are now held (including those held from before). */
    default void advance(long done) {}

    /** The transfer ended, successfully or not. */
    default void finish() {}

    /**
     * A local file is being read to compute its MD5 (before an upload, or to see whether a
     * download is needed at all): {@code done} of its {@code total} bytes so far, {@code done}
     * reaching {@code total} at the end. Not told when the digest was known already.
     */
    default void hashing(String label, long done, long total) {}

    /** Something a person may want to know, like "resuming at N bytes" or "retrying in 2 s: …". */
    default void note(String message) {}

    /** Reports nothing. */
    Progress NONE = new Progress() {};
}
