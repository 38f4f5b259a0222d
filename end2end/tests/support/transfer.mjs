// What a page load puts on the wire, by URL: the encoded length of every response as Chromium's
// DevTools protocol reports it (Network.loadingFinished). Shared by the byte-budget test and
// benches/first-visit.mjs.

/** Starts counting on `cdp` (Network must be enabled); `stop()` ends it and returns the bytes by URL. */
export function countTransfer(cdp) {
  const urls = new Map();
  const bytes = new Map();
  const onResponse = (e) => urls.set(e.requestId, e.response.url);
  const onFinished = (e) => {
    const at = urls.get(e.requestId);
    if (at) bytes.set(at, (bytes.get(at) ?? 0) + e.encodedDataLength);
  };
  cdp.on('Network.responseReceived', onResponse);
  cdp.on('Network.loadingFinished', onFinished);
  return {
    stop() {
      cdp.off('Network.responseReceived', onResponse);
      cdp.off('Network.loadingFinished', onFinished);
      return bytes;
    },
  };
}
