// CloudFront viewer-request function of the web app's behavior (/app/*): a path ending in "/" is its
// index.html, as the local stack's web app answers it; everything else goes to the bucket as asked.
function handler(event) {
  var request = event.request;
  if (request.uri.endsWith("/")) {
    request.uri += "index.html";
  }
  return request;
}
