package dev.aegis.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A plain socket speaking HTTP/1.1 byte by byte, so tests control exactly what goes on the wire. */
public final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.socket.setSoTimeout(10_000);
        this.socket.setTcpNoDelay(true);
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = socket.getOutputStream();
    }

    public static RawConnection open(int port) throws IOException {
        return new RawConnection(new Socket("127.0.0.1", port));
    }

    public RawConnection send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawConnection send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    public OutputStream output() {
        return out;
    }

    public InputStream input() {
        return in;
    }

    public void timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** Reads one response (a GET's: body framed by its headers). */
    public HttpResponse read() throws IOException {
        return read(false);
    }

    /** Reads one response; {@code headRequest}: no body whatever the headers say. Null if closed before a byte. */
    public HttpResponse read(boolean headRequest) throws IOException {
        String statusLine = readLine();
        if (statusLine == null) {
            return null;
        }
        String[] parts = statusLine.split(" ", 3);
        int status = Integer.parseInt(parts[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String line;
        while ((line = readLine()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        if (status == 100) {
            return new HttpResponse(status, headers, new byte[0]);
        }
        byte[] body;
        String te = first(headers, "transfer-encoding");
        String cl = first(headers, "content-length");
        if (headRequest || status == 204 || status == 304) {
            body = new byte[0];
        } else if (te != null && te.equalsIgnoreCase("chunked")) {
            body = readChunked();
        } else if (cl != null) {
            body = in.readNBytes(Integer.parseInt(cl));
        } else {
            body = in.readAllBytes();
        }
        return new HttpResponse(status, headers, body);
    }

    /** Reads and discards a response body of {@code n} bytes in chunks; returns how many arrived. */
    public long drain(long n) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        while (total < n) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n - total));
            if (r < 0) {
                break;
            }
            total += r;
        }
        return total;
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            int semi = sizeLine.indexOf(';');
            int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            if (size == 0) {
                String l;
                while ((l = readLine()) != null && !l.isEmpty()) {
                    // trailers ignored
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            readLine();
        }
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> v = headers.get(name);
        return v == null ? null : v.get(0);
    }

    /** A CRLF-terminated line, or null at end of stream. */
    public String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    /** True when the peer closed the connection (end of stream or reset) within {@code millis}. */
    public boolean closedWithin(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** A parsed response. Header names are lower-case. */
    public record HttpResponse(int status, Map<String, List<String>> headers, byte[] body) {
        public String header(String name) {
            return first(headers, name.toLowerCase(Locale.ROOT));
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
