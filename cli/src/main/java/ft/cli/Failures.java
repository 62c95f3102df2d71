package ft.cli;

import ft.client.FtException;

/** Puts what was being done in front of why it failed, keeping the code and exit status. */
final class Failures {
    private Failures() {}

    static FtException prefixed(String what, FtException e) {
        return new CommandFailure(what + ": " + e.getMessage(), e);
    }

    private static final class CommandFailure extends FtException {
        CommandFailure(String message, FtException cause) {
            super(cause.code(), cause.exitCode(), message, cause);
        }
    }
}
