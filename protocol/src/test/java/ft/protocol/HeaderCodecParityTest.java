package ft.protocol;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link HeaderCodec} reads headers with Jackson's streaming API; before, it used databind's
 * tree model ({@link DatabindHeaderCodec}, kept in the tests). Inputs chosen for the corners of
 * strictness: each must decode to the same value, or be refused with the same code and message,
 * and encode to the same bytes. The fuzz tests run the same comparison on every input they make.
 */
class HeaderCodecParityTest {
    static Stream<String> inputs() {
        return Stream.of(
                "",
                " ",
                "\n",
                "null",
                "true",
                "1",
                "\"x\"",
                "[]",
                "[{}]",
                "{}",
                "{} ",
                "{}{}",
                "{} {}",
                "{} x",
                "{} 1",
                "{} null",
                "{}]",
                "{}}",
                "[1] 2",
                "null null",
                "{\"op\":\"hello\",\"version\":1}",
                "{\"op\":\"hello\",\"version\":1,\"version\":1}",
                "{\"op\":\"hello\",\"op\":\"get\",\"version\":1}",
                "{\"op\":\"hello\",\"version\":1.0}",
                "{\"op\":\"hello\",\"version\":1e0}",
                "{\"op\":\"hello\",\"version\":-0}",
                "{\"op\":\"hello\",\"version\":\"1\"}",
                "{\"op\":\"hello\",\"version\":null}",
                "{\"op\":\"hello\"}",
                "{\"op\":null,\"version\":1}",
                "{\"op\":\"hello\",\"version\":2147483648}",
                "{\"op\":\"hello\",\"version\":1,\"token\":null}",
                "{\"op\":\"hello\",\"version\":1,\"token\":\"t\",\"x\":[1,2,{\"a\":[3]}]}",
                "{\"op\":\"get\",\"path\":\"a\",\"offset\":9223372036854775807}",
                "{\"op\":\"get\",\"path\":\"a\",\"offset\":9223372036854775808}",
                "{\"op\":\"get\",\"path\":\"a\",\"offset\":-9223372036854775809}",
                "{\"op\":\"get\",\"path\":\"a\",\"offset\":" + "9".repeat(40) + "}",
                "{\"op\":\"get\",\"path\":\"a\",\"offset\":" + "9".repeat(41) + "}",
                "{\"op\":\"get\",\"path\":\"a\",\"offset\":1." + "5".repeat(45) + "}",
                "{\"op\":\"get\",\"path\":\"a\",\"offset\":1E400}",
                "{\"op\":\"get\",\"path\":\"a\",\"offset\":NaN}",
                "{\"op\":\"get\",\"path\":\"a\",\"offset\":01}",
                "{\"op\":\"get\",\"path\":\"\\ud800\"}",
                "{\"op\":\"get\",\"path\":\"a\",\"if_md5\":\"5d41402abc4b2a76b9719d911017c592\"}",
                "{\"op\":\"get\",\"path\":\"a\",\"offset\":0,\"ofset\":1}",
                "{\"op\":\"put\",\"path\":\"a\",\"size\":1,\"md5\":\"5D41402ABC4B2A76B9719D911017C592\"}",
                "{\"op\":\"list\",\"path\":\"\",\"limit\":0}",
                "{\"op\":\"list\"}",
                "{\"op\":\"find\",\"pattern\":\"*\"}",
                "{\"op\":\"rm\",\"path\":\"a\",\"recursive\":\"true\"}",
                "{\"op\":\"rm\",\"path\":\"a\",\"recursive\":null}",
                "{\"op\":\"mkdir\",\"path\":\"a\",\"parents\":true}",
                "{\"op\":\"mv\",\"from\":\"a\",\"to\":\"b\"}",
                "{\"op\":\"nope\"}",
                "{\"a\":{\"b\":{\"c\":{\"d\":1}}}}",
                "{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}",
                "[[[[[]]]]]",
                "{\"a\":[[[1]]]}",
                "{\"a\":1,}",
                "{'a':1}",
                "{a:1}",
                "{\"a\" 1}",
                "{\"a\":1 \"b\":2}",
                "{\"status\":\"ok\",\"version\":1,\"server\":\"s\",\"limits\":{\"max_file_size\":1,\"free_space\":2,"
                        + "\"read_only\":false}}",
                "{\"status\":\"ok\",\"version\":1,\"limits\":{\"max_file_size\":1,\"max_file_size\":1}}",
                "{\"status\":\"ok\",\"version\":1,\"limits\":[1]}",
                "{\"status\":\"ok\",\"version\":1,\"limits\":null}",
                "{\"status\":\"ok\",\"version\":1,\"limits\":{\"max_file_size\":1.5,\"free_space\":2}}",
                "{\"status\":\"ok\",\"name\":\"a\",\"size\":5,\"md5\":\"5d41402abc4b2a76b9719d911017c592\",\"offset\":6}",
                "{\"status\":\"ok\",\"name\":\"a\",\"type\":\"file\",\"size\":5,\"mtime\":-1}",
                "{\"status\":\"ok\",\"name\":\"a\",\"type\":\"dir\",\"size\":5,\"mtime\":1,\"md5\":null}",
                "{\"status\":\"ok\",\"offset\":0}",
                "{\"status\":\"ok\",\"md5\":\"5d41402abc4b2a76b9719d911017c592\"}",
                "{\"status\":\"OK\"}",
                "{\"status\":\"error\",\"code\":\"BUSY\"}",
                "{\"status\":\"error\",\"code\":\"WHAT\"}",
                "{\"status\":\"error\",\"code\":\"BUSY\",\"message\":7}",
                "{\"status\":\"error\"}",
                "{\"path\":\"a\",\"type\":\"file\",\"size\":1,\"mtime\":2}",
                "{\"end\":true,\"count\":0,\"more\":false}",
                "{\"end\":false}",
                "{\"end\":1}",
                "{\"end\":true,\"count\":1,\"more\":true,\"code\":\"BUSY\"}",
                "{\"end\":null,\"count\":1}",
                "{\"\":1}",
                "{\"op\":\"hello\",\"version\":1}\u0000",
                "\uFEFF{\"op\":\"hello\",\"version\":1}",
                "{\"op\":\"hello\",\"version\":1} // c",
                "{\"op\":\"hello\",\"version\":1,\"token\":\"" + "t".repeat(5000) + "\"}",
                "{\"op\":\"" + "\\u0000".repeat(3) + "\"}",
                "{\"op\":\"get\",\"path\":\"a\\nb\"}");
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void decodesAndEncodesExactlyAsDatabindDid(String json) {
        Fuzz.sameAsDatabind(json.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @MethodSource("invalidUtf8")
    void invalidUtf8IsRefusedAsBefore(byte[] frame) {
        Fuzz.sameAsDatabind(frame);
    }

    static Stream<byte[]> invalidUtf8() {
        return Stream.of(new byte[] {'{', (byte) 0xC3, '}'}, new byte[] {(byte) 0xFF}, new byte[] {
            '{', '"', 'a', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'
        });
    }
}
