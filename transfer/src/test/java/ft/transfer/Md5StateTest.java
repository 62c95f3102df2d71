package ft.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class Md5StateTest {

    private static byte[] jdkMd5(byte[] data) throws Exception {
        return MessageDigest.getInstance("MD5").digest(data);
    }

    /** The surefire run opens sun.security.provider as ft.jar's manifest does: this must hold there. */
    @Test
    void theTestJvmCanSaveStatesAsFtJarCan() {
        assertTrue(Md5State.canSaveState(), "run with --add-opens java.base/sun.security.provider=ALL-UNNAMED");
    }

    @Test
    void knownDigests() throws Exception {
        Md5State md5 = Md5State.create();
        assertEquals("d41d8cd98f00b204e9800998ecf8427e", HexFormat.of().formatHex(md5.digest()));
        md5.update("The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.US_ASCII));
        assertEquals(43, md5.length());
        assertEquals("9e107d9d372bb6826bd81d3542a419d6", HexFormat.of().formatHex(md5.digest()));
        assertEquals(0, md5.length(), "digest() starts over");
    }

    /** Saved at every cut and restored into a new object each time, the digest is that of one pass. */
    @Property(tries = 200)
    void savedAndRestoredAtRandomCutsGivesTheOnePassDigest(
            @ForAll @Size(max = 700) byte[] data,
            @ForAll @Size(max = 6) List<@IntRange(min = 0, max = 700) Integer> cuts)
            throws Exception {
        Md5State md5 = Md5State.create();
        int at = 0;
        for (int cut : cuts.stream().sorted().toList()) {
            int to = Math.min(cut, data.length);
            md5.update(data, at, to - at);
            at = to;
            byte[] saved = md5.saveState().orElseThrow();
            assertTrue(saved.length <= Md5State.MAX_STATE_BYTES);
            md5 = Md5State.restore(saved).orElseThrow();
            assertEquals(at, md5.length());
        }
        md5.update(data, at, data.length - at);
        assertArrayEquals(jdkMd5(data), md5.digest());
    }

    @Test
    void savingDoesNotDisturbTheRunningDigest() throws Exception {
        byte[] data = new byte[1 << 20];
        new java.util.Random(7).nextBytes(data);
        Md5State md5 = Md5State.create();
        md5.update(data, 0, 300_001);
        byte[] saved = md5.saveState().orElseThrow();
        md5.update(data, 300_001, data.length - 300_001);
        assertArrayEquals(jdkMd5(data), md5.digest());
        Md5State resumed = Md5State.restore(saved).orElseThrow();
        resumed.update(data, 300_001, data.length - 300_001);
        assertArrayEquals(jdkMd5(data), resumed.digest());
    }

    /** Any single flipped bit anywhere in a saved state is refused, never a wrong digest. */
    @Property(tries = 300)
    void everyAlteredStateIsRefused(
            @ForAll @Size(max = 200) byte[] data,
            @ForAll @IntRange(min = 0, max = 10_000) int where,
            @ForAll @IntRange(min = 0, max = 7) int bit)
            throws Exception {
        Md5State md5 = Md5State.create();
        md5.update(data);
        byte[] saved = md5.saveState().orElseThrow();
        saved[where % saved.length] ^= (byte) (1 << bit);
        assertThrows(Md5State.BadStateException.class, () -> Md5State.restore(saved));
    }

    @Test
    void truncatedForeignAndEmptyBlobsAreRefusedWithAMessage() {
        Md5State md5 = Md5State.create();
        md5.update(new byte[100]);
        byte[] saved = md5.saveState().orElseThrow();
        byte[] truncated = java.util.Arrays.copyOf(saved, saved.length - 1);
        IOException e = assertThrows(Md5State.BadStateException.class, () -> Md5State.restore(truncated));
        assertTrue(e.getMessage().contains("bytes"), e.getMessage());
        e = assertThrows(Md5State.BadStateException.class, () -> Md5State.restore(new byte[0]));
        assertTrue(e.getMessage().contains("not a saved MD5 state"), e.getMessage());
        // Bouncy Castle's own encoded state is a foreign format, not a state of ours.
        org.bouncycastle.crypto.digests.MD5Digest bc = new org.bouncycastle.crypto.digests.MD5Digest();
        bc.update(new byte[100], 0, 100);
        assertThrows(Md5State.BadStateException.class, () -> Md5State.restore(bc.getEncodedState()));
        byte[] otherFormat = saved.clone();
        otherFormat[4] = 9;
        e = assertThrows(Md5State.BadStateException.class, () -> Md5State.restore(otherFormat));
        assertTrue(e.getMessage().contains("format 9"), e.getMessage());
    }

    /**
     * Where the JDK's package is not open, the digest still works and saving gives nothing:
     * a JVM started without the --add-opens, running {@link Md5StateFallbackMain}.
     */
    @Test
    void withoutTheOpenPackageItHashesAndSavesNothing() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        Md5StateFallbackMain.class.getName(),
                        HexFormat.of().formatHex(Md5State.create().saveState().orElseThrow()))
                .redirectErrorStream(true)
                .start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "fallback JVM did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.exitValue(), out);
        assertEquals("canSave=false saved=false restored=false md5=9e107d9d372bb6826bd81d3542a419d6", out);
    }

    @Test
    void resetStartsOver() throws Exception {
        Md5State md5 = Md5State.create();
        md5.update(new byte[70]);
        md5.reset();
        assertEquals(0, md5.length());
        Optional<byte[]> saved = md5.saveState();
        assertEquals(Md5State.MAX_STATE_BYTES - 63, saved.orElseThrow().length);
        assertArrayEquals(
                jdkMd5(new byte[0]), Md5State.restore(saved.get()).orElseThrow().digest());
    }
}
