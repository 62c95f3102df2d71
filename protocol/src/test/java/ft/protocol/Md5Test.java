package ft.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Md5Test {

    private static Md5 digestOf(String s) throws Exception {
        return Md5.of(MessageDigest.getInstance("MD5").digest(s.getBytes(UTF_8)));
    }

    @Test
    void md5OfEmptyInputIsTheKnownDigest() throws Exception {
        assertEquals("d41d8cd98f00b204e9800998ecf8427e", digestOf("").hex());
    }

    @Test
    void md5OfAbcIsTheKnownDigest() throws Exception {
        assertEquals("900150983cd24fb0d6963f7d28e17f72", digestOf("abc").hex());
    }

    @Test
    void md5OfHelloIsTheDigestUsedInTheSpecExamples() throws Exception {
        assertEquals("5d41402abc4b2a76b9719d911017c592", digestOf("hello").hex());
    }

    @Test
    void ofFormatsEveryByteAsTwoLowercaseHexDigits() {
        byte[] raw = new byte[16];
        for (int i = 0; i < 16; i++) {
            raw[i] = (byte) (i * 17); // 00 11 22 ... ff
        }
        assertEquals("00112233445566778899aabbccddeeff", Md5.of(raw).hex());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 15, 17, 20, 32})
    void ofRefusesDigestsThatAreNot16Bytes(int length) {
        assertThrows(IllegalArgumentException.class, () -> Md5.of(new byte[length]));
    }

    @Test
    void uppercaseHexIsNormalisedToLowercase() {
        Md5 md5 = new Md5("D41D8CD98F00B204E9800998ECF8427E");
        assertEquals("d41d8cd98f00b204e9800998ecf8427e", md5.hex());
        assertEquals(new Md5("d41d8cd98f00b204e9800998ecf8427e"), md5);
        assertEquals("d41d8cd98f00b204e9800998ecf8427e", md5.toString());
    }

    @Test
    void equalsAndHashCodeFollowTheDigestAlone() {
        Md5 a = new Md5("d41d8cd98f00b204e9800998ecf8427e");
        Md5 upper = new Md5("D41D8CD98F00B204E9800998ECF8427E");
        Md5 other = new Md5("900150983cd24fb0d6963f7d28e17f72");
        assertEquals(a, upper);
        assertEquals(a.hashCode(), upper.hashCode());
        assertFalse(a.equals(other));
        assertFalse(a.equals(null));
        assertFalse(a.equals("d41d8cd98f00b204e9800998ecf8427e"));
        assertTrue(a.equals(a));
    }

    @Test
    void mixedCaseHexIsNormalisedToLowercase() {
        assertEquals("900150983cd24fb0d6963f7d28e17f72", new Md5("900150983Cd24Fb0D6963F7D28e17F72").hex());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "d41d8cd98f00b204e9800998ecf8427e",
                "D41D8CD98F00B204E9800998ECF8427E",
                "00000000000000000000000000000000",
                "ffffffffffffffffffffffffffffffff"
            })
    void validDigestsAreAccepted(String hex) {
        assertTrue(Md5.isValid(hex));
        assertEquals(hex.toLowerCase(java.util.Locale.ROOT), new Md5(hex).hex());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "d41d8cd98f00b204e9800998ecf8427", // 31
                "d41d8cd98f00b204e9800998ecf8427e0", // 33
                "g41d8cd98f00b204e9800998ecf8427e", // g
                "d41d8cd98f00b204e9800998ecf8427 ", // space
                " d41d8cd98f00b204e9800998ecf8427",
                "d41d8cd9-f00b204e9800998ecf8427e",
                "0x1d8cd98f00b204e9800998ecf8427e",
                "d41d8cd98f00b204e9800998ecf842７e", // fullwidth digit 7
                "d41d8cd98f00b204e9800998ecf842\u00e9e"
            })
    void invalidDigestsAreRefused(String hex) {
        assertFalse(Md5.isValid(hex));
        assertThrows(IllegalArgumentException.class, () -> new Md5(hex));
    }

    @Test
    void nullIsRefused() {
        assertThrows(NullPointerException.class, () -> new Md5(null));
    }
}
