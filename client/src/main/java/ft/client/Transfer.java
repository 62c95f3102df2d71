package ft.client;

import java.nio.file.Path;

/**
 * One file to move: a download ({@code get}) of {@code remote} to {@code local}, or an upload
 * ({@code put}) of {@code local} to {@code remote}.
 *
 * @param expectedSize the size a listing showed before the batch began, or {@link #UNKNOWN_SIZE};
 *                     only for telling people how much a batch has left: the transfer itself
 *                     trusts nothing but the size the other side announces when it runs
 */
public record Transfer(Op op, String remote, Path local, long expectedSize) {
    /** No listing said how large the file is. */
    public static final long UNKNOWN_SIZE = -1;

    /** The direction of a transfer, named as on the command line. */
    public enum Op {
        GET, PUT;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A transfer whose size is not known in advance. */
    public Transfer(Op op, String remote, Path local) {
        this(op, remote, local, UNKNOWN_SIZE);
    }

    public static Transfer get(String remote, Path local) {
        return new Transfer(Op.GET, remote, local);
    }

    /** A download of a file a listing showed at {@code expectedSize} bytes. */
    public static Transfer get(String remote, Path local, long expectedSize) {
        return new Transfer(Op.GET, remote, local, expectedSize);
    }

    public static Transfer put(Path local, String remote) {
        return new Transfer(Op.PUT, remote, local);
    }
}
