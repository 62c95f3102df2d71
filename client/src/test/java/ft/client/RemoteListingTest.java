package ft.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RemoteListingTest {
    @Test
    void aListedDirectoryCoversEveryPathBelowItAndNothingElse() {
        RemoteListing listing = new RemoteListing();
        listing.covered("up/tree", Map.of("up/tree/a.dat", 5L, "up/tree/sub/b.dat", 0L));

        assertThat(listing.sizeOf("up/tree/a.dat")).isEqualTo(5L);
        assertThat(listing.sizeOf("up/tree/sub/b.dat")).isEqualTo(0L);
        assertThat(listing.sizeOf("up/tree/missing.dat"))
                .as("below the listing, not in it")
                .isEqualTo(-1L);
        assertThat(listing.sizeOf("up/tree/deep/er/missing.dat")).isEqualTo(-1L);
        assertThat(listing.sizeOf("up/other/a.dat")).as("not covered").isNull();
        assertThat(listing.sizeOf("up/treeX/a.dat"))
                .as("a sibling sharing the prefix")
                .isNull();
        assertThat(listing.sizeOf("a.dat")).isNull();
        assertThat(RemoteListing.NONE.sizeOf("up/tree/a.dat")).isNull();
    }

    @Test
    void theRootCanBeListedAndATooLargeListingCoversNothing() {
        RemoteListing root = new RemoteListing();
        root.covered("", Map.of("x", 1L));
        assertThat(root.sizeOf("x")).isEqualTo(1L);
        assertThat(root.sizeOf("y/z")).isEqualTo(-1L);

        Map<String, Long> huge = new HashMap<>();
        for (int i = 0; i <= RemoteListing.MAX_FILES; i++) {
            huge.put("big/" + i, 1L);
        }
        RemoteListing big = new RemoteListing();
        big.covered("big", huge);
        assertThat(big.sizeOf("big/0")).isNull();
        assertThat(big.sizeOf("big/missing")).isNull();
    }
}
