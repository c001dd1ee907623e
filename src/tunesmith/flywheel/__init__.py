"""The flywheel: logged teacher traffic → curated data → a trained student → compared → promoted to the server."""
