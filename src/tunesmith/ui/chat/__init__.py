"""The Chat page's server side: saving a good exchange into a dataset."""
