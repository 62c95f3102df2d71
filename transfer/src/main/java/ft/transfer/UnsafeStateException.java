package ft.transfer;

import java.io.IOException;

/**
 * The server's state (its {@code .ft} directory, the TLS key, the digest index) is not safe to
 * use: a symlink where a file or directory of the server's own should be, something owned by
 * another user, or modes that let others read or change it. The message says what is wrong and
 * the command that fixes it; the server refuses to start rather than use such state, the way
 * sshd's StrictModes refuses a {@code ~/.ssh} others can write.
 */
public class UnsafeStateException extends IOException {
    private static final long serialVersionUID = 1L;

    /** {@code message} names the path, what is wrong with it, and the fix. */
    public UnsafeStateException(String message) {
        super(message);
    }
}
