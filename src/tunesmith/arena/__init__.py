"""The arena: several ways to answer one task (prompt, few-shot, RAG, fine-tuned, teacher), scored with cost."""
