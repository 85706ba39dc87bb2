# src/core: see README architecture
