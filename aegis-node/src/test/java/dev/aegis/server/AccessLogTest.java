package dev.aegis.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.pipeline.ProxyError;
import dev.aegis.pipeline.RequestRecord;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The access log line, text and JSON, field by field, read from a request record. */
class AccessLogTest {

    private static RequestRecord record() {
        RequestRecord r = new RequestRecord();
        r.startEpochMillis = 1_700_000_000_123L;
        r.requestId = "abc123";
        r.peerAddress = "10.0.0.1";
        r.clientIp = "203.0.113.7";
        r.method = "GET";
        r.uri = "/api/users?q=\"x\"";
        r.upstream = "app";
        r.recordAttempt("127.0.0.1:9001", "connect-failed");
        r.recordAttempt("127.0.0.1:9002", "ok");
        r.status = 200;
        r.bytesIn = 0;
        r.bytesOut = 512;
        r.totalNanos = 2_500_000;
        r.upstreamConnectNanos = 300_000;
        r.upstreamHeaderNanos = 1_200_000;
        return r;
    }

    @Test
    void jsonLineHasEveryField() throws Exception {
        JsonNode j = new ObjectMapper().readTree(AccessLog.json(record()));
        assertThat(j.get("time").asText()).isEqualTo("2023-11-14T22:13:20.123Z");
        assertThat(j.get("request_id").asText()).isEqualTo("abc123");
        assertThat(j.get("client_ip").asText()).isEqualTo("203.0.113.7");
        assertThat(j.get("method").asText()).isEqualTo("GET");
        assertThat(j.get("path").asText()).isEqualTo("/api/users?q=\"x\"");
        assertThat(j.get("route").isNull()).isTrue();
        assertThat(j.get("upstream").asText()).isEqualTo("app");
        assertThat(j.get("server").asText()).isEqualTo("127.0.0.1:9002");
        assertThat(j.get("status").asInt()).isEqualTo(200);
        assertThat(j.get("bytes_in").asLong()).isZero();
        assertThat(j.get("bytes_out").asLong()).isEqualTo(512);
        assertThat(j.get("total_ms").asDouble()).isEqualTo(2.5);
        assertThat(j.get("connect_ms").asDouble()).isEqualTo(0.3);
        assertThat(j.get("header_ms").asDouble()).isEqualTo(1.2);
        assertThat(j.get("attempts").asInt()).isEqualTo(2);
        assertThat(j.get("attempt_log").asText()).isEqualTo("127.0.0.1:9001=connect-failed,127.0.0.1:9002=ok");
        assertThat(j.get("error").isNull()).isTrue();
    }

    @Test
    void textLineNamesTheAttemptsAndTheError() {
        RequestRecord r = record();
        r.status = 502;
        r.error = new ProxyError.UpstreamConnectFailed("127.0.0.1:9002", "refused");
        String line = AccessLog.text(r);
        assertThat(line).startsWith("2023-11-14T22:13:20.123Z 203.0.113.7 \"GET /api/users?q=\"x\"\" 502")
                .contains("attempts=2 [127.0.0.1:9001=connect-failed,127.0.0.1:9002=ok]")
                .contains("error=\"connect to 127.0.0.1:9002 failed: refused\"");
    }

    @Test
    void writesLinesInTheBackground() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLog log = AccessLog.to(out, true);
        log.log(record());
        log.log(record());
        log.close();
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(2);
        assertThat(new ObjectMapper().readTree(lines[1]).get("request_id").asText()).isEqualTo("abc123");
    }
}
