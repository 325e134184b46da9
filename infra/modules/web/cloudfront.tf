resource "aws_cloudfront_origin_access_control" "this" {
  name                              = "${var.prefix}-web"
  description                       = "CloudFront reads the approvers' web app from its private bucket."
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

data "aws_cloudfront_cache_policy" "optimized" {
  name = "Managed-CachingOptimized"
}

data "aws_cloudfront_cache_policy" "disabled" {
  name = "Managed-CachingDisabled"
}

# Every viewer header but Host (API Gateway answers its own host only), Authorization included.
data "aws_cloudfront_origin_request_policy" "api" {
  name = "Managed-AllViewerExceptHostHeader"
}

# web/serving.json's headers: the five CloudFront knows as security headers in their own blocks, the rest
# as custom headers (a contract test holds that every header of the file is set here).
resource "aws_cloudfront_response_headers_policy" "this" {
  #checkov:skip=CKV_AWS_259:HSTS is read from web/serving.json, which checkov cannot evaluate; tests/contract/test_web_infra.py holds it at two years with includeSubDomains, overriding
  name    = "${var.prefix}-web"
  comment = "The approvers' web app: web/serving.json"

  security_headers_config {
    content_security_policy {
      content_security_policy = local.headers["Content-Security-Policy"]
      override                = true
    }
    strict_transport_security {
      access_control_max_age_sec = tonumber(regex("max-age=([0-9]+)", local.headers["Strict-Transport-Security"])[0])
      include_subdomains         = strcontains(local.headers["Strict-Transport-Security"], "includeSubDomains")
      preload                    = strcontains(local.headers["Strict-Transport-Security"], "preload")
      override                   = true
    }
    content_type_options {
      override = local.headers["X-Content-Type-Options"] == "nosniff"
    }
    frame_options {
      frame_option = local.headers["X-Frame-Options"]
      override     = true
    }
    referrer_policy {
      referrer_policy = local.headers["Referrer-Policy"]
      override        = true
    }
  }

  custom_headers_config {
    dynamic "items" {
      for_each = { for name, value in local.headers : name => value if !contains(local.security_headers, name) }
      content {
        header   = items.key
        value    = items.value
        override = true
      }
    }
  }
}

locals {
  security_headers = ["Content-Security-Policy", "Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"]
}

# An S3 origin has no index document: /app/ (and /app/?code=... on the way back from sign-in) is index.html.
resource "aws_cloudfront_function" "index" {
  name    = "${var.prefix}-web-index"
  runtime = "cloudfront-js-2.0"
  comment = "/app/ -> /app/index.html"
  publish = true
  code    = file("${path.module}/index.js")
}

resource "aws_cloudfront_distribution" "this" {
  #checkov:skip=CKV_AWS_68:No WAF yet: the app is static files and the API behind it has its own throttling and JWT authorizer
  #checkov:skip=CKV2_AWS_47:No WAF yet (see CKV_AWS_68); nothing here runs Java
  #checkov:skip=CKV_AWS_86:Access logs would need a log bucket per env; the API's own access logs record every API call
  #checkov:skip=CKV_AWS_174:The default *.cloudfront.net certificate cannot pin a minimum TLS version; a custom domain (and its certificate) is not chosen yet
  #checkov:skip=CKV2_AWS_42:The default *.cloudfront.net certificate until a custom domain is chosen
  #checkov:skip=CKV_AWS_310:One bucket and one API per environment: no second origin to fail over to
  #checkov:skip=CKV_AWS_374:Approvers work from anywhere; who may act is the sign-in's and the API's to decide, not a country list
  #checkov:skip=CKV_AWS_305:The root path is the API's (the app is /app/, its index by the viewer-request function)
  enabled         = true
  comment         = "${var.prefix}: the approvers' web app (/app/*) and the API, on one origin"
  is_ipv6_enabled = true
  http_version    = "http2and3"
  price_class     = "PriceClass_100"

  origin {
    origin_id                = "app"
    domain_name              = module.bucket.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.this.id
  }

  origin {
    origin_id   = "api"
    domain_name = trimprefix(var.api_url, "https://")
    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  # The API: never cached, every method, the caller's headers (Authorization, If-Match) passed on.
  default_cache_behavior {
    target_origin_id         = "api"
    viewer_protocol_policy   = "https-only"
    allowed_methods          = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods           = ["GET", "HEAD"]
    cache_policy_id          = data.aws_cloudfront_cache_policy.disabled.id
    origin_request_policy_id = data.aws_cloudfront_origin_request_policy.api.id
    compress                 = true
  }

  ordered_cache_behavior {
    path_pattern               = "${local.app_path}*"
    target_origin_id           = "app"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    cache_policy_id            = data.aws_cloudfront_cache_policy.optimized.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.this.id
    compress                   = true

    function_association {
      event_type   = "viewer-request"
      function_arn = aws_cloudfront_function.index.arn
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }
}
