package ft.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartialDownloadTest {
    @TempDir
    Path tmp;

    private PartialDownload partialWithMeta(String metaJson) throws Exception {
        PartialDownload p = new PartialDownload(tmp.resolve("x.bin"));
        Files.writeString(p.data, "abc");
        Files.writeString(p.meta, metaJson);
        return p;
    }

    @Test
    void metaWrittenIsReadBackAndIsTheDocumentedJson() throws Exception {
        PartialDownload p = new PartialDownload(tmp.resolve("x.bin"));
        Files.writeString(p.data, "abc");
        PartialDownload.Meta m =
                new PartialDownload.Meta("127.0.0.1:7070", "dir/\"x\"\n.bin", 6, "5d41402abc4b2a76b9719d911017c592");
        p.write(m);
        assertThat(p.read()).isEqualTo(m);
        assertThat(Files.readString(p.meta))
                .isEqualTo("{\"server\":\"127.0.0.1:7070\",\"path\":\"dir/\\\"x\\\"\\n.bin\","
                        + "\"size\":6,\"md5\":\"5d41402abc4b2a76b9719d911017c592\"}");
        assertThat(tmp.resolve(".x.bin.ftpart.meta.tmp")).doesNotExist();
    }

    @Test
    void metaWithAnMd5StateIsReadBackAndKeepsItsMemberLast() throws Exception {
        PartialDownload p = new PartialDownload(tmp.resolve("x.bin"));
        Files.writeString(p.data, "abc");
        PartialDownload.Meta m = new PartialDownload.Meta("h:1", "x.bin", 6, "5d41402abc4b2a76b9719d911017c592")
                .withState(new byte[] {0x66, 0x74, 0x4d, 0x35, 1});
        p.write(m);
        assertThat(p.read()).isEqualTo(m);
        assertThat(p.read().sameFile(new PartialDownload.Meta("h:1", "x.bin", 6, "5d41402abc4b2a76b9719d911017c592")))
                .isTrue();
        assertThat(Files.readString(p.meta))
                .isEqualTo("{\"server\":\"h:1\",\"path\":\"x.bin\",\"size\":6,"
                        + "\"md5\":\"5d41402abc4b2a76b9719d911017c592\",\"md5_state\":\"66744d3501\"}");
    }

    @Test
    void metaOfAnEarlierVersionInAnyOrderIsRead() throws Exception {
        PartialDownload p = partialWithMeta("{\"md5\":\"5d41402abc4b2a76b9719d911017c592\",\"size\":6, "
                + "\"path\":\"x.bin\",\"server\":\"h:1\"}\n");
        assertThat(p.read()).isEqualTo(new PartialDownload.Meta("h:1", "x.bin", 6, "5d41402abc4b2a76b9719d911017c592"));
    }

    @Test
    void anythingElseMeansNoUsablePartial() throws Exception {
        for (String bad : new String[] {
            "",
            "{",
            "{\"server\":\"h:1\",\"path\":\"x\",\"size\":6,\"md5\":\"5d41",
            "[]",
            "null",
            "{\"server\":1}",
            "{\"size\":\"6\"}",
            "{\"size\":6.5}",
            "{\"size\":99999999999999999999}",
            "{\"other\":1}",
            "{\"size\":1,\"size\":2}",
            "{\"md5_state\":\"00\",\"md5_state\":\"00\"}",
            "{\"md5_state\":1}",
            "{\"md5_state\":[]}",
            "\u0000"
        }) {
            assertThat(partialWithMeta(bad).read()).as(bad).isNull();
        }
        PartialDownload noData = new PartialDownload(tmp.resolve("y.bin"));
        Files.writeString(noData.meta, "{\"server\":\"h:1\",\"path\":\"y\",\"size\":1,\"md5\":\"x\"}");
        assertThat(noData.read()).isNull();
    }
}
