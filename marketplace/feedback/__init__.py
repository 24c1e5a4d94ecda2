"""What buyers thought: reviews of products and stalls from real buyers, one-tap satisfaction."""
