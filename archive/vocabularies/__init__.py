"""Controlled vocabularies, each term labelled in Chinese, English and Miao."""
