package ft.client;

import java.nio.file.Path;

/**
 * One file to move: a download ({@code get}) of {@code remote} to {@code local}, or an upload
 * ({@code put}) of {@code local} to {@code remote}.
 */
public record Transfer(Op op, String remote, Path local) {
    /** The direction of a transfer, named as on the command line. */
    public enum Op {
        GET, PUT;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static Transfer get(String remote, Path local) {
        return new Transfer(Op.GET, remote, local);
    }

    public static Transfer put(Path local, String remote) {
        return new Transfer(Op.PUT, remote, local);
    }
}
