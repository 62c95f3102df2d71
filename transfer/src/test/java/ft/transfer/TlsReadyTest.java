package ft.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** What {@link TlsReady} calls ready: decrypted bytes, or a whole record of the largest size in the socket. */
class TlsReadyTest {
    private static InputStream holding(int bytes) {
        return new ByteArrayInputStream(new byte[bytes]);
    }

    @Test
    void decryptedBytesAreReady() throws IOException {
        TlsReady in = new TlsReady(holding(7), holding(0));
        assertEquals(7, in.available());
    }

    @Test
    void lessThanTheLargestRecordInTheSocketIsNotReady() throws IOException {
        // A peer that stopped inside a record: a read would wait for it, so nothing is ready.
        TlsReady in = new TlsReady(holding(0), holding(TlsReady.MAX_RECORD_BYTES - 1));
        assertEquals(0, in.available());
    }

    @Test
    void aWholeRecordInTheSocketIsReadyBeforeItIsDecrypted() throws IOException {
        TlsReady in = new TlsReady(holding(0), holding(TlsReady.MAX_RECORD_BYTES));
        assertTrue(in.available() > 0);
    }

    @Test
    void readsComeFromTheDecryptedStreamOnly() throws IOException {
        InputStream socket = holding(TlsReady.MAX_RECORD_BYTES);
        TlsReady in = new TlsReady(new ByteArrayInputStream(new byte[] {1, 2, 3}), socket);
        byte[] b = new byte[10];
        assertEquals(3, in.read(b, 0, 10));
        assertArrayEquals(new byte[] {1, 2, 3}, java.util.Arrays.copyOf(b, 3));
        assertEquals(TlsReady.MAX_RECORD_BYTES, socket.available(), "the socket is only asked, never read");
    }

    @Test
    void theLargestRecordIsTls13sLimit() {
        // RFC 8446 section 5.2: a TLSCiphertext's length is at most 2^14 + 256, after a 5-byte header.
        assertEquals(16_645, TlsReady.MAX_RECORD_BYTES);
    }
}
