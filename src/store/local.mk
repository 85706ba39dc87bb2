# src/store: see README architecture
