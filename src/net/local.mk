# src/net: see README architecture
