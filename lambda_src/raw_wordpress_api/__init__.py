"""Raw Lambda: WordPress API -> raw layer (handler: raw_wordpress_api.handler.handler)."""
