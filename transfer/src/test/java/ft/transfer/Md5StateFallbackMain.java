package ft.transfer;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Run by {@link Md5StateTest} in a JVM without the --add-opens: what Md5State does there. */
public final class Md5StateFallbackMain {
    private Md5StateFallbackMain() {}

    public static void main(String[] args) throws Exception {
        Md5State md5 = Md5State.create();
        md5.update("The quick brown fox jumps".getBytes(StandardCharsets.US_ASCII));
        boolean saved = md5.saveState().isPresent();
        // A well-formed state, saved by the test's JVM, which can save.
        byte[] state = HexFormat.of().parseHex(args[0]);
        boolean restored = Md5State.restore(state).isPresent();
        md5.update(" over the lazy dog".getBytes(StandardCharsets.US_ASCII));
        System.out.println("canSave=" + Md5State.canSaveState() + " saved=" + saved + " restored=" + restored + " md5="
                + HexFormat.of().formatHex(md5.digest()));
    }
}
