package ft.client;

/** Told how a transfer advances; the command line draws a bar from it, the library nothing. */
public interface Progress {
    /** A transfer of {@code total} bytes starts, {@code already} of them held from before. */
    void start(String label, long total, long already);

    /** {@code done} bytes of the total are now held (including those held from before). */
    void advance(long done);

    /** The transfer ended, successfully or not. */
    void finish();

    /** Something a person may want to know, like "resuming at N bytes". */
    void note(String message);

    Progress NONE = new Progress() {
        @Override
        public void start(String label, long total, long already) {}

        @Override
        public void advance(long done) {}

        @Override
        public void finish() {}

        @Override
        public void note(String message) {}
    };
}
