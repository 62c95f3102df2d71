package ft.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Issue 14, finding 8: the one rule for showing the other side's text (see {@link Printable}). */
class PrintableTest {
    /** Every kind the rule replaces, once, between letters. */
    private static final String SNEAKY =
            "a\u0000b\u001bc\u007fd\u0085e\u009bf\u2028g\u2029h\u202ai\u202ej\u2066k\u2069l"
                    + "\u200em\u061cn\ud800o\udc00p";

    @Test
    void everyUnsafeKindIsEscapedForATerminal() {
        assertEquals(
                "a\\x00b\\x1bc\\x7fd\\x85e\\x9bf\\u2028g\\u2029h\\u202ai\\u202ej\\u2066k\\u2069l"
                        + "\\u200em\\u061cn\\ud800o\\udc00p",
                Printable.escaped(SNEAKY));
        assertEquals(Printable.escaped(SNEAKY), Printable.escaped(Printable.escaped(SNEAKY)));
        assertEquals("", Printable.escaped(null));
    }

    @Test
    void everyUnsafeKindIsAQuestionMarkInALogAndTheLengthIsBounded() {
        assertEquals("a?b?c?d?e?f?g?h?i?j?k?l?m?n?o?p", Printable.replaced(SNEAKY, 1000));
        assertEquals("-", Printable.replaced(null, 10));
        assertEquals("abc", Printable.replaced("abcdef", 3));
    }

    @Test
    void lettersOfEveryScriptAndWellFormedPairsAreKept() {
        String text = "Grüße, 東京, Ελλάδα, emoji \ud83d\ude00, nbsp\u00a0.";
        assertSame(text, Printable.escaped(text));
        assertEquals(text, Printable.replaced(text, 1000));
        // A pair is never cut in two.
        assertEquals("ab", Printable.replaced("ab\ud83d\ude00", 3));
    }

    @Test
    void theCodecEchoesAnUnknownOpWithoutLineSeparatorsC1OrBidiControls() {
        String op = "x\u0085y\u2028z\u2029w\u202ev\u2066u\u009bt";
        byte[] frame = ("{\"op\":\"" + op + "\",\"path\":\"a\"}").getBytes(StandardCharsets.UTF_8);
        ProtocolException e = assertThrows(ProtocolException.class, () -> new HeaderCodec().decodeRequest(frame));
        assertTrue(e.getMessage().contains("unknown op 'x?y?z?w?v?u?t'"), e.getMessage());
        for (String c : new String[] {"\u0085", "\u2028", "\u2029", "\u202e", "\u2066", "\u009b"}) {
            assertTrue(!e.getMessage().contains(c), e.getMessage());
        }
        assertEquals("a?b", HeaderCodec.printable("a\u2028b"));
    }
}
