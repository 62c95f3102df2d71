package ft.cli;

import ft.client.FtException;

/**
 * Failures a command reports and exits with: what was being done put in front of why it failed
 * (code and family kept), and the command line's own failures (a users file, a port in use),
 * which exit by their code through {@link ExitStatus} like the client's.
 */
final class Failures {
    private Failures() {}

    static FtException prefixed(String what, FtException e) {
        return new CommandFailure(e.code(), e.family(), what + ": " + e.getMessage(), e);
    }

    /** A failure of the command itself; Main prints {@code ft: MESSAGE (CODE)} and exits by the code. */
    static FtException of(String code, FtException.Family family, String message) {
        return new CommandFailure(code, family, message, null);
    }

    private static final class CommandFailure extends FtException {
        CommandFailure(String code, Family family, String message, Throwable cause) {
            super(code, family, message, cause);
        }
    }
}
