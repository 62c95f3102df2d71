package ft.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BoundaryDigestTest {
    private record Saved(long offset, byte[] state) {}

    @Test
    void eachBoundarysStateResumesToTheWholeDigestWhateverTheUpdateSizes() throws Exception {
        byte[] content = new byte[100_003];
        Random random = new Random(7);
        random.nextBytes(content);
        List<Saved> saved = new ArrayList<>();
        Md5State md5 = Md5State.create();
        MessageDigest view = new BoundaryDigest(md5, 10_000, (offset, state) -> saved.add(new Saved(offset, state)));
        for (int at = 0; at < content.length; ) {
            int n = Math.min(content.length - at, 1 + random.nextInt(25_000));
            view.update(content, at, n);
            at += n;
        }
        byte[] whole = MessageDigest.getInstance("MD5").digest(content);
        assertArrayEquals(whole, md5.digest());
        assertEquals(
                List.of(10_000L, 20_000L, 30_000L, 40_000L, 50_000L, 60_000L, 70_000L, 80_000L, 90_000L, 100_000L),
                saved.stream().map(Saved::offset).toList());
        for (Saved s : saved) {
            Md5State resumed = Md5State.restore(s.state()).orElseThrow();
            assertEquals(s.offset(), resumed.length());
            resumed.update(Arrays.copyOfRange(content, (int) s.offset(), content.length));
            assertArrayEquals(whole, resumed.digest(), "resumed from " + s.offset());
        }
    }

    @Test
    void boundariesCountFromTheFilesStartWhenTheDigestWasRestoredPartWay() throws Exception {
        byte[] content = new byte[5_000];
        new Random(3).nextBytes(content);
        Md5State first = Md5State.create();
        first.update(content, 0, 2_000);
        Md5State md5 = Md5State.restore(first.saveState().orElseThrow()).orElseThrow();
        List<Long> offsets = new ArrayList<>();
        MessageDigest view = new BoundaryDigest(md5, 1_500, (offset, state) -> offsets.add(offset));
        view.update(content, 2_000, 3_000);
        assertEquals(List.of(3_000L, 4_500L), offsets);
        assertArrayEquals(MessageDigest.getInstance("MD5").digest(content), md5.digest());
    }
}
