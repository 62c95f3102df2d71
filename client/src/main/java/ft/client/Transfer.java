package ft.client;

import ft.protocol.Md5;
import java.nio.file.Path;

/**
 * One file to move: a download ({@code get}) of {@code remote} to {@code local}, or an upload
 * ({@code put}) of {@code local} to {@code remote}.
 *
 * @param shownLocal   how the local side is named to people and in JSON Lines: the path, or
 *                     {@code -} for an upload read from standard input into a temporary file
 * @param knownMd5     the local file's MD5 when already known (a spool hashed as it was
 *                     written), else null: it is looked up or computed when needed
 * @param expectedSize the size a listing showed before the batch began, or {@link #UNKNOWN_SIZE};
 *                     only for telling people how much a batch has left: the transfer itself
 *                     trusts nothing but the size the other side announces when it runs
 */
public record Transfer(Op op, String remote, Path local, String shownLocal, Md5 knownMd5, long expectedSize) {
    /** No listing said how large the file is. */
    public static final long UNKNOWN_SIZE = -1;

    /** The direction of a transfer, named as on the command line. */
    public enum Op {
        GET,
        PUT;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A transfer whose size is not known in advance. */
    public Transfer(Op op, String remote, Path local) {
        this(op, remote, local, local.toString(), null, UNKNOWN_SIZE);
    }

    public static Transfer get(String remote, Path local) {
        return new Transfer(Op.GET, remote, local);
    }

    /** A download of a file a listing showed at {@code expectedSize} bytes. */
    public static Transfer get(String remote, Path local, long expectedSize) {
        return new Transfer(Op.GET, remote, local, local.toString(), null, expectedSize);
    }

    public static Transfer put(Path local, String remote) {
        return new Transfer(Op.PUT, remote, local);
    }

    /** An upload of {@code spooled}, whose MD5 is known, shown as {@code shownAs} (e.g. {@code -} for standard input). */
    public static Transfer put(Path spooled, String remote, String shownAs, Md5 md5) {
        return new Transfer(Op.PUT, remote, spooled, shownAs, md5, UNKNOWN_SIZE);
    }

    /** The side a person names this transfer by: the remote path of a get, the local one of a put. */
    public String source() {
        return op == Op.GET ? remote : shownLocal;
    }
}
