package ft.client;

/** Told how a transfer advances; the command line draws a bar from it, the library nothing. */
public interface Progress {
    /** A transfer of {@code total} bytes starts, {@code already} of them held from before. */
    default void start(String label, long total, long already) {}

    /** {@code done} bytes of the total are now held (including those held from before). */
    default void advance(long done) {}

    /** The transfer ended, successfully or not. */
    default void finish() {}

    /** Something a person may want to know, like "resuming at N bytes". */
    default void note(String message) {}

    /** Reports nothing. */
    Progress NONE = new Progress() {};
}
