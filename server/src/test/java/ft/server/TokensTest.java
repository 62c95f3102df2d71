package ft.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Tokens: how they are made, split and checked. */
class TokensTest {
    @Test
    void aMintedTokenIsTheNameADotAndASecretOnlyItsHashVerifies() {
        Tokens.Minted m = Tokens.mint("alice");
        assertEquals("alice", Tokens.nameOf(m.token()));
        String secret = Tokens.secretOf(m.token());
        assertEquals(Tokens.SECRET_BYTES, Base64.getUrlDecoder().decode(secret).length);
        assertEquals(Tokens.SALT_BYTES, m.salt().length);
        assertEquals(Tokens.DEFAULT_ITERATIONS, m.iterations());
        assertArrayEquals(Tokens.derive(secret, m.salt(), m.iterations()), m.hash());
        assertTrue(Tokens.verifies(secret, m.salt(), m.iterations(), m.hash()));
        assertFalse(Tokens.verifies(secret + "x", m.salt(), m.iterations(), m.hash()));
        assertFalse(Tokens.verifies(secret, m.salt(), m.iterations() + 1, m.hash()), "the count is part of the hash");
        assertFalse(m.toString().contains(secret), "toString must not show the token");
    }

    @Test
    void tokenPartsAreSplitAtTheFirstDot() {
        assertEquals("alice", Tokens.nameOf("alice.abc.def"));
        assertEquals("abc.def", Tokens.secretOf("alice.abc.def"));
        assertNull(Tokens.nameOf("alice"));
        assertNull(Tokens.nameOf(".secret"));
        assertNull(Tokens.nameOf(null));
        assertEquals("", Tokens.secretOf("alice"));
        assertEquals("", Tokens.secretOf(null));
    }
}
