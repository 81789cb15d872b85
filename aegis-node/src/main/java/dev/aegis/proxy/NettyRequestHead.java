package dev.aegis.proxy;

import dev.aegis.pipeline.RequestHead;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;

/** {@link RequestHead} over a decoded Netty request, with path, query and host split once. */
final class NettyRequestHead implements RequestHead {
    private final HttpRequest request;
    private final String peerAddress;
    private final String path;
    private final String query;
    private final String host;
    /** The target in origin-form (absolute-form is rewritten), as forwarded to the origin. */
    final String originForm;

    NettyRequestHead(HttpRequest request, String peerAddress) {
        this.request = request;
        this.peerAddress = peerAddress;
        String uri = request.uri();
        String hostFromTarget = null;
        if (uri.charAt(0) != '/' && uri.charAt(0) != '*') {
            // absolute-form (RFC 9112 §3.2.2): the authority replaces Host, the rest is the origin-form.
            int schemeEnd = uri.indexOf("://") + 3;
            int pathStart = uri.indexOf('/', schemeEnd);
            int q = uri.indexOf('?', schemeEnd);
            int authorityEnd = pathStart < 0 ? (q < 0 ? uri.length() : q) : (q >= 0 && q < pathStart ? q : pathStart);
            hostFromTarget = uri.substring(schemeEnd, authorityEnd);
            String rest = uri.substring(authorityEnd);
            uri = rest.isEmpty() ? "/" : rest.charAt(0) == '?' ? "/" + rest : rest;
        }
        this.originForm = uri;
        int q = uri.indexOf('?');
        this.path = q < 0 ? uri : uri.substring(0, q);
        this.query = q < 0 ? null : uri.substring(q + 1);
        this.host = hostFromTarget != null ? hostFromTarget : request.headers().get(HttpHeaderNames.HOST);
    }

    HttpRequest request() {
        return request;
    }

    @Override
    public String method() {
        return request.method().name();
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String header(String name) {
        return request.headers().get(name);
    }

    @Override
    public String uri() {
        return request.uri();
    }

    @Override
    public String query() {
        return query;
    }

    @Override
    public String protocol() {
        return request.protocolVersion().text();
    }

    @Override
    public List<String> headers(String name) {
        return request.headers().getAll(name);
    }

    @Override
    public List<java.util.Map.Entry<String, String>> headerList() {
        return request.headers().entries();
    }

    @Override
    public String peerAddress() {
        return peerAddress;
    }
}
