package ft.cli;

import ft.client.FtException;

/**
 * Counts what became of the items of one command (files of a batch, paths of rm or stat) and
 * derives the exit status the README promises: success when nothing failed; when every item
 * failed the same way, that failure's own status (a list of only missing files exits
 * NOT_FOUND, an unreachable server CONNECTION); otherwise PARTIAL.
 */
final class Tally {
    private int succeeded;
    private int failed;
    private ExitStatus first;
    private boolean mixed;

    synchronized void succeeded() {
        succeeded++;
    }

    synchronized void failed(ExitStatus status) {
        if (failed > 0 && status != first) {
            mixed = true;
        }
        if (failed == 0) {
            first = status;
        }
        failed++;
    }

    void failed(FtException e) {
        failed(ExitStatus.of(e));
    }

    synchronized int failures() {
        return failed;
    }

    synchronized ExitStatus status() {
        if (failed == 0) {
            return ExitStatus.SUCCESS;
        }
        return succeeded == 0 && !mixed ? first : ExitStatus.PARTIAL;
    }

    /** {@link #status()}'s number, what a command returns to picocli. */
    int exitCode() {
        return status().code();
    }
}
