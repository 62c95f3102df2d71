package ft.cli;

import ft.client.FtException;

/**
 * Counts what became of the items of one command (files of a batch, paths of rm or stat) and
 * derives the exit status the README promises: 0 when nothing failed; when every item failed
 * the same way, that failure's own status (a list of only missing files exits 4, an
 * unreachable server 3); otherwise 8.
 */
final class Tally {
    private int succeeded;
    private int failed;
    private int firstExitCode;
    private boolean mixed;

    synchronized void succeeded() {
        succeeded++;
    }

    synchronized void failed(int exitCode) {
        if (failed > 0 && exitCode != firstExitCode) {
            mixed = true;
        }
        if (failed == 0) {
            firstExitCode = exitCode;
        }
        failed++;
    }

    void failed(FtException e) {
        failed(e.exitCode());
    }

    synchronized int failures() {
        return failed;
    }

    synchronized int exitCode() {
        if (failed == 0) {
            return 0;
        }
        return succeeded == 0 && !mixed ? firstExitCode : 8;
    }
}
