"""spiders/extract"""
