"""Complaints after delivery and how they end: refund, replacement, decline, the commune's decision."""
